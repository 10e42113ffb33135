// Browser tests of the teaching layer: a lesson done by keyboard only (one wrong answer, one
// right), progress kept across a reload, the result summary, a troubleshooting card opening its
// scenario, presenter mode at 1920×1080 and 1280×720 (network and sequence diagram side by side,
// no scrolling), a bad ?lesson= staying a sentence, axe-core on every new view, and screenshots.
// (Converted from lessons.test.mjs: the same checks, with web-first assertions.)
import { join } from "node:path";
import { test, expect, app, axe, screenshot, screensDir, stepCounter } from "./fixtures.mjs";

const DESKTOP = { viewport: { width: 1280, height: 800 }, reducedMotion: "reduce" };

/** The app at `path` in its own context, once its live region is there. */
async function lessonPage(open, path, options = {}) {
  const page = await open(null, { ...DESKTOP, ...options });
  await app(page, path);
  await expect(page.locator("#live")).toBeAttached();
  return page;
}

/** Presses Tab until the focused element is the choice with this value (keyboard only). */
async function tabTo(page, value) {
  let at = null;
  for (let i = 0; i < 12 && at !== value; i++) {
    await page.keyboard.press("Tab");
    at = await page.evaluate(() => document.activeElement?.dataset?.value ?? null);
  }
  expect(at, `choice ${value} reached with Tab`).toBe(value);
  await expect(page.locator(`button.choice[data-value='${value}']`)).toBeFocused();
}

test("a lesson by keyboard only: one wrong answer, one right, progress kept across a reload", async ({ open, problems }) => {
  const page = await lessonPage(open, "./?lesson=bounces");
  await expect(page.locator("#lesson-title")).toHaveText(/Bounces/);
  // The hand-off to the full app focuses the lesson's heading, so the page shows the lesson
  // (it used to focus the player below it and scroll the lesson out of view).
  await expect(page.locator("#lesson-title")).toBeFocused();
  await expect(page.locator("#lesson-title")).toBeInViewport();
  // End runs to the first question's step and no further: the question takes its place.
  await page.keyboard.press("End");
  await expect(page.locator("#lesson-question")).toBeVisible();
  await expect(page.locator("#lesson-question"), "the question has the focus").toBeFocused();
  await expect(stepCounter(page), "stopped right before the MX's reply (step 46)").toHaveText(/^Step 45 \//);
  await expect(page.locator(".panel-controls button[aria-label='Next step']")).toBeDisabled();
  await page.keyboard.press("ArrowRight");
  // (Was settle() then a read: the notice shows that → was handled, then the counter is checked.)
  await expect(page.locator(".notice").first()).toHaveText(/Answer the question first/);
  await expect(stepCounter(page), "→ does not step past an open question").toHaveText(/^Step 45 \//);
  await screenshot(page, "lesson-question");
  expect(await axe(page), "a question").toEqual([]);

  // Wrong: 250. The reveal says why, gives the answer and the RFC, and the live region says so.
  await tabTo(page, "250");
  await page.keyboard.press("Enter");
  await expect(page.locator(".reveal-wrong")).toBeVisible();
  await expect(page.locator(".reveal-why")).toHaveText(/2yz/);
  await expect(page.locator(".reveal-answer")).toHaveText(/550 5\.1\.1/);
  await expect(page.locator(".reveal-rfc")).toHaveText(/RFC 5321/);
  await expect(page.locator(".lesson [aria-live]").first()).toHaveText(/Not quite/);
  await screenshot(page, "lesson-reveal-wrong");

  // On to the bounce question, right this time.
  await page.keyboard.press("End");
  await expect(page.locator("#lesson-question").filter({ hasText: "bounce" })).toBeVisible();
  await tabTo(page, "relay");
  await page.keyboard.press("Enter");
  await expect(page.locator(".reveal-right")).toBeVisible();
  await expect(page.locator(".lesson [aria-live]").first()).toHaveText(/^Right\./);
  await expect(page.locator(".lesson-meta")).toHaveText(/1 of 4 right so far/);

  // Reload: the lesson, its answers and its place are kept.
  await page.reload();
  await app(page, null);
  await expect(page.locator("#lesson-title")).toBeVisible();
  await expect(page.locator(".lesson-meta")).toHaveText(/part 1 of 2 · 1 of 4 right so far/);
  await page.getByRole("button", { name: "Course" }).click();
  await expect(page.locator("[data-lesson='bounces'] .course-meta")).toHaveText(/In progress: 2 of 4 answered/);
  await expect(page.locator("[data-lesson='dns-mx'] .course-meta")).toHaveText(/Not started/);
  await screenshot(page, "course");
  expect(await axe(page), "course path and lesson").toEqual([]);

  // Finish: next part, two more answers, the result summary.
  await page.getByRole("button", { name: "Course" }).click();
  await page.getByRole("button", { name: "Next part" }).click();
  await expect(page.locator(".lesson-intro").filter({ hasText: "full mailboxes" })).toBeVisible();
  await page.keyboard.press("End");
  await page.locator("button.choice[data-value='permanent']").click();
  await expect(page.locator(".reveal-right")).toBeVisible();
  await page.keyboard.press("End");
  await expect(page.locator("#lesson-question").filter({ hasText: "Question 4" })).toBeVisible();
  await page.locator("button.choice[data-value='permanent']").click();
  await expect(page.locator(".reveal-wrong")).toBeVisible();
  await page.getByRole("button", { name: "Finish: see your result" }).click();
  const result = page.locator("#lesson-result");
  await expect(result).toHaveValue(/smtp-sim lesson: 6 · Bounces/);
  await expect(result).toHaveValue(/Score: 2 of 4 right \(4 answered\)/);
  await expect(result).toHaveValue(/Date: \d{4}-\d\d-\d\d/);
  await expect(page.locator(".lesson-summary")).toHaveText(/null sender/);
  await screenshot(page, "lesson-result");
  expect(await axe(page), "result view").toEqual([]);
  expect(problems).toEqual([]);
});

test("a question with a typed code: nonsense is asked again, a code is checked", async ({ open, problems }) => {
  const page = await lessonPage(open, "./?lesson=relay-control");
  await page.keyboard.press("End");
  await expect(page.locator("#lesson-code")).toBeVisible();
  await page.locator("#lesson-code").fill("abc");
  await page.keyboard.press("Enter");
  await expect(page.locator(".question-error").filter({ hasText: "not a reply code" })).toBeVisible();
  await page.locator("#lesson-code").fill("550");
  await page.keyboard.press("Enter");
  await expect(page.locator(".reveal-right")).toBeVisible();
  expect(problems).toEqual([]);
});

test("?card= opens the troubleshooting cards with their heading in view and focused", async ({ open, problems }) => {
  const page = await lessonPage(open, "./?card=second-device-no-mail");
  await expect(page.locator("#cards-title")).toBeFocused();
  await expect(page.locator("#cards-title")).toBeInViewport();
  const card = page.locator("[data-card='second-device-no-mail']");
  await expect(card, "the IMAP answer on the wire, from the trace").toContainText("* 0 EXISTS");
  expect(problems).toEqual([]);
});

test("a troubleshooting card opens the scenario that reproduces it", async ({ open, problems }) => {
  const page = await lessonPage(open, "./?scenario=happy-path");
  await page.getByRole("button", { name: "Troubleshooting" }).click();
  const card = page.locator("[data-card='relay-access-denied']");
  await expect(card, "the reply on the wire, from the trace").toHaveText(/550 5\.7\.1 <bob@example\.org>: Relay access denied/);
  await screenshot(page, "cards");
  expect(await axe(page), "cards").toEqual([]);
  await card.getByRole("button").click();
  await expect(page.locator("#story-title").filter({ hasText: "Relay denied" })).toBeVisible();
  // The live region speaks of the step the counter shows, and that step is the 550. (Was: read
  // the counter, then match the live region; now the live region is waited for first.)
  const live = page.locator("#live");
  await expect(live).toHaveText(/Step \d+ of .*550/);
  const at = Number(/Step (\d+) of/.exec(await live.textContent())[1]);
  await expect(stepCounter(page)).toHaveText(new RegExp(`^Step ${at} /`));
  await expect(live).toHaveText(new RegExp(`Step ${at} of .*550`));
  expect(problems).toEqual([]);
});

test("a bad ?lesson= becomes a sentence, not a blank page", async ({ open }) => {
  const page = await lessonPage(open, "./?lesson=%3Cb%3Enope%3C%2Fb%3E&present=maybe");
  const notice = page.locator(".notice").first();
  await expect(notice).toHaveText(/no lesson called “<b>nope<\/b>”/);
  await expect(notice).toHaveText(/not a presenter-mode setting/);
  await expect(page.locator(".lesson")).toHaveCount(0);
});

for (const viewport of [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }]) {
  test(`presenter mode at ${viewport.width}×${viewport.height}: network and sequence diagram side by side, no scrolling`, async ({ open, problems }) => {
    const page = await lessonPage(open, "./?scenario=unknown-user-bounce&step=46&present=1", { viewport });
    await expect(page.locator("body")).toContainClass("present");
    // The layout is read once presenter mode is on; polled (bounded) in case it is still being
    // laid out.
    const box = (selector) => page.locator(selector).boundingBox();
    await expect.poll(async () => {
      const [network, diagram] = [await box(".panel-network"), await box(".panel-diagram")];
      return network.x + network.width <= diagram.x + 1;
    }, "side by side").toBe(true);
    await expect.poll(async () => {
      const [network, diagram] = [await box(".panel-network"), await box(".panel-diagram")];
      return network.y + 40 < viewport.height && diagram.y + 40 < viewport.height;
    }, "both start above the fold").toBe(true);
    await expect.poll(async () => {
      const network = await box(".panel-network");
      return network.y + network.height;
    }, `the network view fits (≤ ${viewport.height})`).toBeLessThanOrEqual(viewport.height);
    await expect(page.locator(".tools"), "tools hidden").toBeHidden();
    await expect.poll(async () => (await box(".panel-controls button[aria-label='Next step']")).height, "big step controls").toBeGreaterThanOrEqual(50);
    await page.screenshot({ path: join(screensDir, `present-${viewport.width}x${viewport.height}.png`) });
    // The button turns it off again and the address follows.
    await page.getByRole("button", { name: "Presenter mode" }).click();
    await expect(page.locator("body")).not.toContainClass("present");
    expect(await axe(page), "presenter page").toEqual([]);
    expect(problems).toEqual([]);
  });
}
