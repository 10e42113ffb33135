// @playwright/test configuration for the browser tests (`*.spec.mjs`). Debian's Chromium, never a
// downloaded browser: `executablePath` names it (SMTP_SIM_CHROMIUM overrides /usr/bin/chromium),
// and nobody runs `npx playwright install`. `cargo xtask test` / `cargo xtask e2e` start the static
// server and pass its address in SMTP_SIM_URL; run by hand (`npx playwright test`), Playwright
// starts `cargo xtask serve-dist` itself (build first with `cargo xtask build`).
//
// Traces, screenshots and videos of a failed test stay in target/e2e-results/ (open one with
// `npx playwright show-trace target/e2e-results/<test>/trace.zip`); the JSON report that the xtask
// reads is target/e2e-report.json.
import { defineConfig } from "@playwright/test";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PORT = 8798;
const baseURL = process.env.SMTP_SIM_URL || `http://127.0.0.1:${PORT}/`;

export default defineConfig({
  testDir: ".",
  testMatch: /.*\.spec\.mjs$/,
  outputDir: join(repo, "target", "e2e-results"),
  // Two cores shared with builds: one browser at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  // Generous but bounded: a cold wasm start on a loaded machine takes seconds.
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: join(repo, "target", "e2e-report.json") }]],
  use: {
    baseURL,
    browserName: "chromium",
    headless: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: process.env.SMTP_SIM_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: process.env.SMTP_SIM_URL
    ? undefined
    : {
        command: `cargo xtask serve-dist --port ${PORT}`,
        cwd: repo,
        url: baseURL,
        reuseExistingServer: true,
        timeout: 120_000,
      },
});
