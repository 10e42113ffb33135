// Browser tests of the step-by-step visualizer: the URL, the keyboard, the live region, the
// network view's counts, the diagram's bounce row, exact stepping back, the help dialog,
// hostile text, accessibility (axe-core) and screenshots at phone and desktop sizes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { baseUrl, counter, launch, screensDir, screenshot, settle, stopServer, waitForApp } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

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

async function open(path, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: "reduce", ...options });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url + path);
  await waitForApp(page);
  await page.locator("#live").waitFor();
  return { context, page, problems, requests };
}

async function live(page) {
  return (await page.locator("#live").textContent()).trim();
}

/** Presses a key on the page (focus on the body, not on a control). */
async function press(page, key, times = 1) {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
  await settle(page);
}

test("unknown-user-bounce: step to the end with the keyboard, see the 550 and the bounce arrive", async () => {
  const { context, page, problems, requests } = await open("?scenario=unknown-user-bounce");
  const loaded = requests.length;
  assert.deepEqual(await counter(page), [1, (await counter(page))[1]]);
  const [, total] = await counter(page);
  assert.ok(total > 40, `${total} steps`);
  const seen = new Set();
  let saw550 = null;
  let previous = await live(page);
  for (let i = 1; i < total; i++) {
    await press(page, "ArrowRight");
    // Yew renders on its scheduler: wait for the step, then read.
    await page.waitForFunction((n) => document.querySelector("#live").textContent.startsWith(`Step ${n} of`), i + 1);
    const now = await live(page);
    assert.notEqual(now, previous, `live region changed at step ${i + 1}`);
    assert.ok(now.startsWith(`Step ${i + 1} of ${total}: `), now);
    previous = now;
    seen.add(now);
    if (now.includes("replies 550 5.1.1 to RCPT")) saw550 = now;
  }
  assert.equal(seen.size, total - 1, "every step is announced differently");
  assert.ok(saw550, "the 550 to RCPT was announced");
  assert.match(saw550, /failed: no such mailbox at this domain/);
  assert.deepEqual(await counter(page), [total, total]);
  // End: the bounce is in Alice's mailbox on the relay — as a list item with words and as a
  // badge on the relay's box in the network view.
  const mailbox = page.locator(".mailbox", { hasText: "alice@example.com" });
  assert.match(await mailbox.textContent(), /alice@example\.com on smtp\.example\.com: 1 message \(1 bounce\)/);
  const relayBadge = page.locator(".net-row [data-node=relay] .badge.bounce");
  assert.equal((await relayBadge.textContent()).trim(), "↩ bounce 1");
  // The diagram shows the bounce rows, tagged in words.
  const bounceRows = page.locator(".sd-row.bounce");
  assert.ok(await bounceRows.count() >= 1, "a bounce row in the diagram");
  assert.match(await bounceRows.last().textContent(), /bounce/);
  // The current row is highlighted and on screen.
  const current = page.locator(".sd-row.current");
  assert.equal(await current.count(), 1);
  assert.ok(await current.isVisible());
  // Nothing was fetched after load, and nothing went wrong.
  // After load only the app's own files may be asked for again (Chromium re-reads the icon when
  // the URL changes); nothing from another origin, ever.
  const own = new Set([url + "www/icon.svg"]);
  assert.deepEqual(requests.slice(loaded).filter((r) => !own.has(r)), [], "no request after load");
  assert.deepEqual(problems, []);
  await context.close();
});

test("stepping back then forward shows the identical page", async () => {
  const { context, page } = await open("?scenario=unknown-user-bounce&step=30");
  // The whole workspace except the diagram's body (which rows are rendered depends on the
  // scroll position), plus the diagram's current row.
  const snap = () => page.evaluate(() => {
    const main = document.querySelector("#main").cloneNode(true);
    main.querySelector(".sd-body")?.remove();
    return {
      main: main.innerHTML,
      current: document.querySelector(".sd-row.current")?.outerHTML,
      inspector: document.querySelector(".panel-inspector").innerText,
    };
  });
  const before = await snap();
  await press(page, "ArrowLeft", 5);
  assert.deepEqual(await counter(page).then((c) => c[0]), 25);
  assert.notEqual((await snap()).inspector, before.inspector);
  await press(page, "ArrowRight", 5);
  const again = await snap();
  assert.equal(again.inspector, before.inspector);
  assert.equal(again.main, before.main);
  assert.equal(again.current, before.current);
  assert.ok(before.current, "the current row is drawn");
  // Home and End, then back to 30 with the scrubber's keyboard.
  await press(page, "End");
  assert.equal((await counter(page))[0], (await counter(page))[1]);
  await press(page, "Home");
  assert.equal((await counter(page))[0], 1);
  await context.close();
});

test("the URL opens a step, follows the steps, and says when a step is out of range", async () => {
  const { context, page } = await open("?scenario=unknown-user-bounce&step=12");
  assert.equal((await counter(page))[0], 12);
  assert.match(await live(page), /^Step 12 of \d+: /);
  await press(page, "ArrowRight");
  await page.waitForURL(/\?scenario=unknown-user-bounce&step=13$/);
  await page.getByRole("button", { name: /Greylisting/ }).click();
  await page.waitForURL(/\?scenario=greylisting-retry&step=1$/);
  assert.equal(await page.getByRole("button", { name: /Greylisting/ }).getAttribute("aria-current"), "true");
  await context.close();

  const far = await open("?scenario=unknown-user-bounce&step=9999");
  const [n, total] = await counter(far.page);
  assert.equal(n, total);
  assert.match(await far.page.locator(".notice").textContent(), new RegExp(`Step 9999 is past the end: this scenario has ${total} steps`));
  await far.context.close();
});

test("hostile text in the URL is shown as text, never as HTML", async () => {
  const evil = encodeURIComponent("<img src=x onerror=window.__pwned=1>");
  const { context, page, problems } = await open(`?scenario=${evil}`);
  const notice = page.locator(".notice");
  assert.match(await notice.textContent(), /no built-in scenario called “<img src=x onerror=window.__pwned=1>”/);
  assert.equal(await page.locator("img").count(), 0, "no img element");
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(problems, []);
  await context.close();
});

test("Space plays and pauses; the picker works with the keyboard", async () => {
  const { context, page } = await open("?scenario=happy-path");
  await press(page, " ");
  assert.equal(await page.getByRole("button", { name: "Pause" }).count(), 1);
  await page.waitForFunction(() => /Step [3-9]/.test(document.querySelector(".counter-step").textContent), null, { timeout: 5000 });
  await press(page, " ");
  assert.equal(await page.getByRole("button", { name: "Play" }).count(), 1);
  const paused = await counter(page);
  await page.waitForTimeout(1300);
  assert.deepEqual(await counter(page), paused, "paused means paused");
  // Keyboard on the picker: focus a scenario and press Enter.
  await page.locator("[data-scenario=mx-fallback]").focus();
  await press(page, "Enter");
  await page.waitForURL(/scenario=mx-fallback/);
  const focusVisible = await page.locator("[data-scenario=mx-fallback]").evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(focusVisible, "none", "focus ring on the picked scenario");
  await context.close();
});

test("the help dialog opens with ?, keeps focus inside, and closes with Esc", async () => {
  const { context, page } = await open("?scenario=happy-path");
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await press(page, "?");
  const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await dialog.waitFor({ state: "visible" });
  assert.match(await dialog.textContent(), /play \/ pause/);
  await screenshot(page, "help-1280x800-light");
  for (let i = 0; i < 4; i++) {
    await press(page, "Tab");
    const inside = await page.evaluate(() => !!document.activeElement?.closest("dialog[open]") || document.activeElement === document.body);
    assert.ok(inside, "focus stays in the dialog");
  }
  await press(page, "ArrowRight");
  assert.equal((await counter(page))[0], 1, "shortcuts are off while the dialog is open");
  await press(page, "Escape");
  await dialog.waitFor({ state: "hidden" });
  await press(page, "ArrowRight");
  assert.equal((await counter(page))[0], 2, "shortcuts work again");
  // The ? button opens it too, and Close returns focus to the button.
  await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
  await dialog.waitFor({ state: "visible" });
  await dialog.getByRole("button", { name: "Close" }).click();
  await dialog.waitFor({ state: "hidden" });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Keyboard shortcuts");
  await context.close();
});

test("a diagram row can be selected with Enter and the inspector shows it", async () => {
  const { context, page } = await open("?scenario=unknown-user-bounce&step=20");
  const row = page.locator(".sd-row[data-seq='3']");
  await row.focus();
  await press(page, "Enter");
  assert.match(await page.locator(".insp-which").textContent(), /Selected step 4 of/);
  assert.equal(await page.locator(".inspector").getAttribute("data-seq"), "3");
  await page.getByRole("button", { name: "Back to the current step" }).click();
  assert.match(await page.locator(".insp-which").textContent(), /Current step 20 of/);
  await context.close();
});

test("the inspector shows CR LF, the parsed fields, the explanation with its RFC and the state diagram", async () => {
  const { context, page } = await open("?scenario=unknown-user-bounce");
  // Go to the 550.
  const [, total] = await counter(page);
  for (let i = 1; i < total && !(await live(page)).includes("replies 550"); i++) await press(page, "ArrowRight");
  const insp = page.locator(".inspector");
  assert.match(await insp.locator(".raw").textContent(), /^550 5\.1\.1 .*CRLF/);
  assert.match(await insp.textContent(), /No such mailbox at this domain\./);
  assert.match(await insp.locator(".rfc").textContent(), /RFC 5321 §4\.2\.2/);
  assert.match(await insp.locator(".state-words").textContent(), /Mail: the state does not change/);
  // The end of data: the dot that ends the message is marked.
  for (let i = 0; i < total && !(await live(page)).includes("sends the message itself"); i++) await press(page, "ArrowLeft");
  assert.equal(await insp.locator("mark.end-dot").count() >= 1, true);
  await context.close();
});

for (const colorScheme of ["light", "dark"]) {
  test(`axe-core finds no serious or critical problem (${colorScheme})`, async () => {
    const { context, page } = await open("?scenario=unknown-user-bounce&step=47", { colorScheme });
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    const bad = result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    assert.deepEqual(bad, []);
    await context.close();
  });
}

for (const [label, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 800 }]]) {
  test(`screenshots of the visualizer at ${viewport.width}×${viewport.height} (${label}), light and dark`, async () => {
    for (const colorScheme of ["light", "dark"]) {
      const { context, page, problems } = await open("?scenario=unknown-user-bounce&step=47", { viewport, colorScheme });
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      assert.ok(scrollWidth <= clientWidth, `${colorScheme}: page is ${scrollWidth}px wide in a ${clientWidth}px viewport`);
      // The controls are reachable: the step buttons are on screen without scrolling.
      const next = await page.getByRole("button", { name: "Next step" }).boundingBox();
      assert.ok(next && next.y + next.height <= viewport.height && next.x + next.width <= viewport.width, "step forward is on screen");
      await page.screenshot({ path: join(screensDir, `visualizer-${viewport.width}x${viewport.height}-${colorScheme}-viewport.png`) });
      await screenshot(page, `visualizer-${viewport.width}x${viewport.height}-${colorScheme}`);
      assert.deepEqual(problems, []);
      await context.close();
    }
  });
}
