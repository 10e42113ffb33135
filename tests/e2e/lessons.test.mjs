// Browser tests of the teaching layer: a lesson done by keyboard only (one wrong answer, one
// right), progress kept across a reload, the result summary, a troubleshooting card opening its
// scenario, presenter mode at 1920×1080 and 1280×720 (network and sequence diagram side by side,
// no scrolling), a bad ?lesson= staying a sentence, axe-core on every new view, and screenshots.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { baseUrl, counter, injectAxe, launch, screensDir, screenshot, settle, stopServer, waitForApp } from "./harness.mjs";


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

async function open(path, options = {}, context = null) {
  context ??= await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: "reduce", ...options });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url + path);
  await waitForApp(page);
  await page.locator("#live").waitFor();
  return { context, page, problems };
}

async function axe(page) {
  await injectAxe(page); // page.evaluate: the CSP refuses an added <script> tag
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

/** Presses Tab until the focused element is the choice with this value (keyboard only). */
async function tabTo(page, value) {
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    const at = await page.evaluate(() => document.activeElement?.dataset?.value ?? null);
    if (at === value) return;
  }
  assert.fail(`no choice ${value} reached with Tab`);
}

test("a lesson by keyboard only: one wrong answer, one right, progress kept across a reload", async () => {
  const { context, page, problems } = await open("?lesson=bounces");
  await page.locator("#lesson-title").waitFor();
  assert.match(await page.locator("#lesson-title").textContent(), /Bounces/);
  // End runs to the first question's step and no further: the question takes its place.
  await page.keyboard.press("End");
  await page.locator("#lesson-question").waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "lesson-question", "the question has the focus");
  const [at] = await counter(page);
  assert.equal(at, 45, "stopped right before the MX's reply (step 46)");
  assert.equal(await page.locator(".panel-controls button[aria-label='Next step']").isDisabled(), true);
  await page.keyboard.press("ArrowRight");
  await settle(page);
  assert.deepEqual((await counter(page))[0], 45, "→ does not step past an open question");
  assert.match(await page.locator(".notice").first().textContent(), /Answer the question first/);
  await screenshot(page, "lesson-question");
  assert.deepEqual(await axe(page), [], "a question");

  // Wrong: 250. The reveal says why, gives the answer and the RFC, and the live region says so.
  await tabTo(page, "250");
  await page.keyboard.press("Enter");
  await page.locator(".reveal-wrong").waitFor();
  assert.match(await page.locator(".reveal-why").textContent(), /2yz/);
  assert.match(await page.locator(".reveal-answer").textContent(), /550 5\.1\.1/);
  assert.match(await page.locator(".reveal-rfc").textContent(), /RFC 5321/);
  assert.match(await page.locator(".lesson [aria-live]").first().textContent(), /Not quite/);
  await screenshot(page, "lesson-reveal-wrong");

  // On to the bounce question, right this time.
  await page.keyboard.press("End");
  await page.locator("#lesson-question").filter({ hasText: "bounce" }).waitFor();
  await tabTo(page, "relay");
  await page.keyboard.press("Enter");
  await page.locator(".reveal-right").waitFor();
  assert.match(await page.locator(".lesson [aria-live]").first().textContent(), /^Right\./);
  assert.match(await page.locator(".lesson-meta").textContent(), /1 of 4 right so far/);

  // Reload: the lesson, its answers and its place are kept.
  await page.reload();
  await waitForApp(page);
  await page.locator("#lesson-title").waitFor();
  assert.match(await page.locator(".lesson-meta").textContent(), /part 1 of 2 · 1 of 4 right so far/);
  await page.getByRole("button", { name: "Course" }).click();
  assert.match(await page.locator("[data-lesson='bounces'] .course-meta").textContent(), /In progress: 2 of 4 answered/);
  assert.match(await page.locator("[data-lesson='dns-mx'] .course-meta").textContent(), /Not started/);
  await screenshot(page, "course");
  assert.deepEqual(await axe(page), [], "course path and lesson");

  // Finish: next part, two more answers, the result summary.
  await page.getByRole("button", { name: "Course" }).click();
  await page.getByRole("button", { name: "Next part" }).click();
  await page.locator(".lesson-intro").filter({ hasText: "full mailboxes" }).waitFor();
  await page.keyboard.press("End");
  await page.locator("button.choice[data-value='permanent']").click();
  await page.locator(".reveal-right").waitFor();
  await page.keyboard.press("End");
  await page.locator("#lesson-question").filter({ hasText: "Question 4" }).waitFor();
  await page.locator("button.choice[data-value='permanent']").click();
  await page.locator(".reveal-wrong").waitFor();
  await page.getByRole("button", { name: "Finish: see your result" }).click();
  const result = await page.locator("#lesson-result").inputValue();
  assert.match(result, /smtp-sim lesson: 6 · Bounces/);
  assert.match(result, /Score: 2 of 4 right \(4 answered\)/);
  assert.match(result, /Date: \d{4}-\d\d-\d\d/);
  assert.match(await page.locator(".lesson-summary").textContent(), /null sender/);
  await screenshot(page, "lesson-result");
  assert.deepEqual(await axe(page), [], "result view");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a question with a typed code: nonsense is asked again, a code is checked", async () => {
  const { context, page, problems } = await open("?lesson=relay-control");
  await page.keyboard.press("End");
  await page.locator("#lesson-code").waitFor();
  await page.locator("#lesson-code").fill("abc");
  await page.keyboard.press("Enter");
  await page.locator(".question-error").filter({ hasText: "not a reply code" }).waitFor();
  await page.locator("#lesson-code").fill("550");
  await page.keyboard.press("Enter");
  await page.locator(".reveal-right").waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("a troubleshooting card opens the scenario that reproduces it", async () => {
  const { context, page, problems } = await open("?scenario=happy-path");
  await page.getByRole("button", { name: "Troubleshooting" }).click();
  const card = page.locator("[data-card='relay-access-denied']");
  assert.match(await card.textContent(), /550 5\.7\.1 <bob@example\.org>: Relay access denied/, "the reply on the wire, from the trace");
  await screenshot(page, "cards");
  assert.deepEqual(await axe(page), [], "cards");
  await card.getByRole("button").click();
  await page.locator("#story-title").filter({ hasText: "Relay denied" }).waitFor();
  const [at] = await counter(page);
  assert.match(await page.locator("#live").textContent(), new RegExp(`Step ${at} of .*550`));
  assert.deepEqual(problems, []);
  await context.close();
});

test("a bad ?lesson= becomes a sentence, not a blank page", async () => {
  const { context, page } = await open("?lesson=%3Cb%3Enope%3C%2Fb%3E&present=maybe");
  const notice = await page.locator(".notice").first().textContent();
  assert.match(notice, /no lesson called “<b>nope<\/b>”/);
  assert.match(notice, /not a presenter-mode setting/);
  assert.equal(await page.locator(".lesson").count(), 0);
  await context.close();
});

for (const viewport of [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }]) {
  test(`presenter mode at ${viewport.width}×${viewport.height}: network and sequence diagram side by side, no scrolling`, async () => {
    const { context, page, problems } = await open("?scenario=unknown-user-bounce&step=46&present=1", { viewport });
    assert.equal(await page.evaluate(() => document.body.classList.contains("present")), true);
    const network = await page.locator(".panel-network").boundingBox();
    const diagram = await page.locator(".panel-diagram").boundingBox();
    assert.ok(network.x + network.width <= diagram.x + 1, "side by side");
    assert.ok(network.y + 40 < viewport.height && diagram.y + 40 < viewport.height, "both start above the fold");
    assert.ok(network.y + network.height <= viewport.height, `the network view fits (${network.y + network.height} ≤ ${viewport.height})`);
    assert.equal(await page.locator(".tools").isVisible(), false, "tools hidden");
    const next = await page.locator(".panel-controls button[aria-label='Next step']").boundingBox();
    assert.ok(next.height >= 50, "big step controls");
    await page.screenshot({ path: join(screensDir, `present-${viewport.width}x${viewport.height}.png`) });
    // The button turns it off again and the address follows.
    await page.getByRole("button", { name: "Presenter mode" }).click();
    assert.equal(await page.evaluate(() => document.body.classList.contains("present")), false);
    assert.deepEqual(await axe(page), [], "presenter page");
    assert.deepEqual(problems, []);
    await context.close();
  });
}
