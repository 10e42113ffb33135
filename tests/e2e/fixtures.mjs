// Fixtures for the @playwright/test browser tests (`*.spec.mjs`, every browser test file; see
// README.md here).
//
// - `problems`: every page of the test reports console errors, uncaught page errors, failed
//   responses (status ≥ 400) and Content-Security-Policy violations (the `securitypolicyviolation`
//   event, in every frame) into one list; a test asserts it is empty where it should be.
// - `open(path, options)`: a page in a fresh context (viewport, colour scheme…), watched like
//   `page`, at `path` (or nowhere yet with `null`, to set up routes first); every context it makes
//   is closed when the test ends, passed or failed. The built-in `page` is closed by Playwright.
// - `app(page, path)`: go to `path` and wait, web-first, until the Yew app has rendered its shell
//   (or the error box is shown).
// - `screenshot(page, name)`: a full-page PNG in target/e2e-screens/ (for people to look at).
// - `axe(page)`: axe-core's serious and critical violations, as readable lines.
import { test as base, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const screensDir = process.env.SMTP_SIM_SCREENS ?? join(repo, "target", "e2e-screens");

// Runs in every frame before the page's own scripts: CSP violations become console errors, so the
// `console` listener below sees those of iframes too.
const REPORT_CSP = () => {
  document.addEventListener("securitypolicyviolation", (e) => {
    console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline code"} in ${e.sourceFile || document.URL}:${e.lineNumber}`);
  });
};

function watch(page, problems) {
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); });
}

export const test = base.extend({
  problems: async ({}, use) => {
    await use([]);
  },
  context: async ({ context }, use) => {
    await context.addInitScript(REPORT_CSP);
    await use(context);
  },
  page: async ({ page, problems }, use) => {
    watch(page, problems);
    await use(page);
  },
  open: async ({ browser, problems, baseURL }, use) => {
    const contexts = [];
    await use(async (path = "./", options = {}) => {
      const context = await browser.newContext({ baseURL, ...options });
      contexts.push(context);
      await context.addInitScript(REPORT_CSP);
      const page = await context.newPage();
      watch(page, problems);
      if (path !== null) await page.goto(path);
      return page;
    });
    for (const c of contexts) await c.close();
  },
});

export { expect };

/** Go to `path` (relative to the app) and wait until the app's shell or its error box shows. */
export async function app(page, path = "./") {
  if (path !== null) await page.goto(path);
  await expect(page.locator("main#main, #fatal:not([hidden])").first()).toBeVisible();
  // A tool, lesson or card named by the address hands the page from the viewer to the full
  // app at once (src/ui/studio.rs): wait until that is over.
  await expect(page.locator(".studio-loading")).toHaveCount(0);
}

/** After opening a tool: the first one loads the full app in place of the viewer. */
export async function studio(page) {
  await expect(page.locator("html")).toHaveAttribute("data-smtp-sim", "studio");
  await expect(page.locator("main#main")).toBeVisible();
}

export async function screenshot(page, name) {
  mkdirSync(screensDir, { recursive: true });
  await page.screenshot({ path: join(screensDir, `${name}.png`), fullPage: true });
}

/** axe-core's serious and critical violations on `page` (or only under `include`). */
export async function axe(page, include) {
  let builder = new AxeBuilder({ page });
  if (include) builder = builder.include(include);
  const result = await builder.analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** The step counter ("Step 12 / 54") of a page or frame as a locator, for `toHaveText`. */
export function stepCounter(where) {
  return where.locator(".counter-step");
}
