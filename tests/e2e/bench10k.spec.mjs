// Functional (not timed) browser test of the benchmark trace `?debug=bench10k` (issue 5): it opens
// a generated trace of more than 10,000 steps, stepping and jumping work, the current row is on
// screen, only a bounded number of diagram rows is in the DOM, and it is not in the picker. The
// timings themselves are measured by `cargo xtask bench browser`, never asserted.
// (Converted from bench10k.test.mjs: the same checks, with web-first assertions.)
import { test, expect, app, stepCounter } from "./fixtures.mjs";

/** Waits until the counter shows step `n`, then checks the diagram. */
async function at(page, n) {
  await expect(stepCounter(page)).toHaveText(new RegExp(`^Step ${n} /`));
  const current = page.locator(`.sd-row.current[data-seq="${n - 1}"]`);
  await expect(current, `the row of step ${n} is drawn`).toHaveCount(1);
  await expect(current, `the row of step ${n} is on screen`).toBeVisible();
  const rows = await page.locator("svg.sd-body .sd-row").count();
  expect(rows >= 1 && rows < 200, `${rows} diagram rows in the DOM at step ${n}`).toBe(true);
  await expect(page.locator("#live")).toHaveText(new RegExp(`^Step ${n} of `));
}

test("?debug=bench10k opens a 10,000-step trace that steps and jumps with few rows in the DOM", async ({ open, problems }) => {
  const page = await open("./?debug=bench10k", { viewport: { width: 1280, height: 800 }, reducedMotion: "reduce" });
  await app(page, null);
  await expect(page.locator("svg.sd-body .sd-row").first()).toBeVisible();
  await expect(stepCounter(page)).toHaveText(/^Step 1 \/ \d+/);
  const total = Number(/\/ (\d+)/.exec(await stepCounter(page).textContent())[1]);
  expect(total, `${total} steps`).toBeGreaterThanOrEqual(10000);
  await expect(page.locator("[data-scenario=bench-10k]"), "not offered in the picker").toHaveCount(0);
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
  await expect(page).toHaveURL(/\?debug=bench10k&step=7777$/);
  expect(problems).toEqual([]);
});
