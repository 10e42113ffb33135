// Shared setup for the browser tests: the app's URL, a headless Chromium, screenshots.
//
// `cargo xtask test` / `cargo xtask e2e` start the static server on a free loopback port and pass
// SMTP_SIM_URL. Run by hand (`cd tests/e2e && npm test`) the harness starts
// `cargo xtask serve-dist --port 0` itself (build first with `cargo xtask build`).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");

export const screensDir = process.env.SMTP_SIM_SCREENS ?? join(repo, "target", "e2e-screens");

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

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** Loads axe-core into the page as Playwright's own evaluation: `page.addScriptTag` would add an
 * inline <script>, which the page's Content-Security-Policy refuses (and reports). */
export async function injectAxe(page) {
  await page.evaluate(readFileSync(AXE, "utf8"));
}

export function stopServer() {
  if (server) server.kill();
}

export async function screenshot(page, name) {
  mkdirSync(screensDir, { recursive: true });
  await page.screenshot({ path: join(screensDir, `${name}.png`), fullPage: true });
}

/** Waits until the Yew app has rendered its shell (or a fatal error is shown). */
export async function waitForApp(page) {
  await page.waitForSelector("main#main, #fatal:not([hidden])", { timeout: 15000 });
  // A tool named by the address (a link's panel, an embed's panels=) hands the page from the
  // viewer to the full app at once (src/ui/studio.rs): then wait until the full app is drawn.
  await page.waitForFunction(
    () => !document.querySelector(".studio-loading") && document.querySelector("main#main, #fatal:not([hidden])"),
    null, { timeout: 20000 });
}

/** Waits until Yew has rendered what the last input asked for (a frame, then a task). */
export async function settle(page) {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0))));
}

/** The step counter ("Step 12 / 54") of a page or frame, as [12, 54]. */
export async function counter(where) {
  const text = await where.locator(".counter-step").textContent();
  const m = /Step (\d+) \/ (\d+)/.exec(text);
  assert.ok(m, `counter reads ${text}`);
  return [Number(m[1]), Number(m[2])];
}
