// The app's URL and a headless Chromium for the start-up bench (bench-browser.mjs, `cargo xtask
// bench browser`), which drives playwright-core itself to time the page. Not for tests: the
// browser tests are `*.spec.mjs` on @playwright/test (fixtures.mjs, README.md here); the helpers
// the old node --test files used (settle(), waitForApp(), counter(), injectAxe(), screenshot())
// went with them.
//
// `cargo xtask bench browser` starts the static server on a free loopback port and passes
// SMTP_SIM_URL. Run by hand without it, this starts `cargo xtask serve-dist --port 0` itself
// (build first with `cargo xtask build`).
import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");

let server = null;

/** The app's base URL, ending in "/". */
export async function baseUrl() {
  if (process.env.SMTP_SIM_URL) return process.env.SMTP_SIM_URL;
  server = spawn("cargo", ["xtask", "serve-dist", "--port", "0"], {
    cwd: repo,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return await new Promise((resolveUrl, reject) => {
    let seen = "";
    server.stdout.on("data", (chunk) => {
      seen += chunk;
      const match = /listening on (http:\/\/\S+\/)/.exec(seen);
      if (match) resolveUrl(match[1]);
    });
    server.on("exit", (code) => reject(new Error(`cargo xtask serve-dist exited (${code})`)));
  });
}

/** Headless Debian Chromium, never a downloaded browser. */
export async function launch() {
  return await chromium.launch({
    executablePath: process.env.SMTP_SIM_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export function stopServer() {
  if (server) server.kill();
}
