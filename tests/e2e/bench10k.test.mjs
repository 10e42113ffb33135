// Functional (not timed) browser test of the benchmark trace `?debug=bench10k` (issue 5): it opens
// a generated trace of more than 10,000 steps, stepping and jumping work, the current row is on
// screen, only a bounded number of diagram rows is in the DOM, and it is not in the picker. The
// timings themselves are measured by `cargo xtask bench browser`, never asserted.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { baseUrl, counter, launch, stopServer, waitForApp } from "./harness.mjs";

let browser;
let url;

before(async () => {
  url = await baseUrl();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  stopServer();
});

/** Waits until the counter shows step `n`, then checks the diagram. */
async function at(page, n) {
  await page.waitForFunction((n) => document.querySelector(".counter-step").textContent.startsWith(`Step ${n} /`), n);
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0))));
  const rows = await page.locator("svg.sd-body .sd-row").count();
  assert.ok(rows >= 1 && rows < 200, `${rows} diagram rows in the DOM at step ${n}`);
  const current = page.locator(`.sd-row.current[data-seq="${n - 1}"]`);
  assert.equal(await current.count(), 1, `the row of step ${n} is drawn: ${await page.evaluate(() => [...document.querySelectorAll(".sd-row")].map((r) => r.dataset.seq + (r.classList.contains("current") ? "*" : "")).join(" ") + " top " + document.querySelector(".sd-scroll").scrollTop)}`);
  assert.ok(await current.isVisible(), `the row of step ${n} is on screen`);
  assert.match(await page.locator("#live").textContent(), new RegExp(`^Step ${n} of `));
}

test("?debug=bench10k opens a 10,000-step trace that steps and jumps with few rows in the DOM", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: "reduce" });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url + "?debug=bench10k");
  await waitForApp(page);
  await page.locator("svg.sd-body .sd-row").first().waitFor();
  const [first, total] = await counter(page);
  assert.equal(first, 1);
  assert.ok(total >= 10000, `${total} steps`);
  assert.equal(await page.locator("[data-scenario=bench-10k]").count(), 0, "not offered in the picker");
  await at(page, 1);

  for (let i = 0; i < 40; i++) await page.keyboard.press("ArrowRight");
  await at(page, 41);
  await page.keyboard.press("End");
  await at(page, total);
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
  await at(page, total - 3);
  await page.locator(".scrub input").fill("5000");
  await at(page, 5000);
  await page.keyboard.press("Home");
  await at(page, 1);
  await page.locator(".scrub input").fill("7777");
  await at(page, 7777);
  // The address follows (a moment after the last step) and keeps the benchmark trace.
  await page.waitForURL(/\?debug=bench10k&step=7777$/);
  assert.deepEqual(problems, []);
  await context.close();
});
