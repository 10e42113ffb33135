// The page's Content-Security-Policy (issue 13): the app, the embed (`?embed=1`) and the docs page
// with its three live embeds load, step once, and no policy is violated — no `securitypolicyviolation`
// event in any frame, no console error. The policy arrives both as a header (cargo xtask serve)
// and as a <meta http-equiv> (so static hosting keeps it), and both say the same.
import { test, expect, app, stepCounter } from "./fixtures.mjs";

const POLICY_PARTS = ["default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "base-uri 'none'"];

async function policyOf(page, response) {
  const header = response.headers()["content-security-policy"];
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  return { header, meta };
}

test("the app steps once under its policy, with no violation", async ({ page, problems }) => {
  const response = await page.goto("./?scenario=happy-path");
  const { header, meta } = await policyOf(page, response);
  expect(header).toBe(meta);
  for (const part of POLICY_PARTS) expect(meta).toContain(part);
  expect(meta).not.toContain("unsafe-inline'; script");
  await app(page, null);
  await expect(stepCounter(page)).toHaveText(/^Step 1 \//);
  await page.getByRole("button", { name: "Next step" }).click();
  await expect(stepCounter(page)).toHaveText(/^Step 2 \//);
  // The network view's travelling envelope uses a style attribute: allowed, and drawn.
  await page.getByRole("button", { name: "Next step" }).click();
  await expect(stepCounter(page)).toHaveText(/^Step 3 \//);
  expect(problems).toEqual([]);
});

test("the embed steps once under its policy, with no violation", async ({ page, problems }) => {
  await app(page, "./?embed=1&scenario=greylisting-retry&step=4&panels=inspector");
  await expect(stepCounter(page)).toHaveText(/^Step 4 \//);
  await page.getByRole("button", { name: "Next step" }).click();
  await expect(stepCounter(page)).toHaveText(/^Step 5 \//);
  expect(problems).toEqual([]);
});

test("the docs page and its live embeds load under the policy, and an embed steps once", async ({ page, problems }) => {
  const response = await page.goto("./www/docs.html");
  const { header, meta } = await policyOf(page, response);
  expect(header).toBe(meta);
  const frames = page.locator("iframe");
  await expect(frames).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    await frames.nth(i).scrollIntoViewIfNeeded();
    await expect(stepCounter(frames.nth(i).contentFrame())).toBeVisible();
  }
  const first = frames.first().contentFrame();
  const before = await stepCounter(first).textContent();
  const n = Number(/Step (\d+)/.exec(before)[1]);
  await first.getByRole("button", { name: "Next step" }).click();
  await expect(stepCounter(first)).toHaveText(new RegExp(`^Step ${n + 1} /`));
  expect(problems).toEqual([]);
});

test("an inline script is refused, and the refusal is reported (the check can fail)", async ({ page, problems }) => {
  await app(page, "./");
  await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__inlineRan = true;";
    document.body.append(s);
  });
  await expect.poll(() => problems.some((p) => p.startsWith("console: CSP violation: script-src"))).toBe(true);
  expect(await page.evaluate(() => window.__inlineRan === true)).toBe(false);
});
