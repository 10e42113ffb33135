// Browser tests of the step-by-step visualizer: the URL, the keyboard, the live region, the
// network view's counts, the diagram's bounce row, exact stepping back, the help dialog,
// hostile text, accessibility (axe-core) and screenshots at phone and desktop sizes.
// (Converted from visualizer.test.mjs: the same checks, with web-first assertions.)
import { join } from "node:path";
import { test, expect, app, axe, screenshot, screensDir, stepCounter } from "./fixtures.mjs";

const DESKTOP = { viewport: { width: 1280, height: 800 }, reducedMotion: "reduce" };

/** The app at `path` in its own context, once its live region is there. */
async function visualizer(open, path, options = {}) {
  const page = await open(path, { ...DESKTOP, ...options });
  await app(page, null);
  await expect(page.locator("#live")).toBeAttached();
  return page;
}

const live = (page) => page.locator("#live");

/** The total number of steps, read once the counter shows step `n`. */
async function totalAt(page, n) {
  await expect(stepCounter(page)).toHaveText(new RegExp(`^Step ${n} / \\d+`));
  return Number(/\/ (\d+)/.exec(await stepCounter(page).textContent())[1]);
}

test("unknown-user-bounce: step to the end with the keyboard, see the 550 and the bounce arrive", async ({ open, problems, baseURL }) => {
  const requests = [];
  const page = await open(null, DESKTOP);
  page.on("request", (r) => requests.push(r.url()));
  await app(page, "./?scenario=unknown-user-bounce");
  await expect(live(page)).toHaveText(/^Step 1 of /);
  const loaded = requests.length;
  const total = await totalAt(page, 1);
  expect(total, `${total} steps`).toBeGreaterThan(40);
  const seen = new Set();
  let saw550 = null;
  let previous = (await live(page).textContent()).trim();
  for (let i = 1; i < total; i++) {
    await page.keyboard.press("ArrowRight");
    await expect(live(page)).toHaveText(new RegExp(`^Step ${i + 1} of ${total}: `));
    const now = (await live(page).textContent()).trim();
    expect(now, `live region changed at step ${i + 1}`).not.toBe(previous);
    previous = now;
    seen.add(now);
    if (now.includes("replies 550 5.1.1 to RCPT")) saw550 = now;
  }
  expect(seen.size, "every step is announced differently").toBe(total - 1);
  expect(saw550, "the 550 to RCPT was announced").toMatch(/failed: no such mailbox at this domain/);
  await expect(stepCounter(page)).toHaveText(new RegExp(`^Step ${total} / ${total}`));
  // End: the bounce is in Alice's mailbox on the relay — as a list item with words and as a
  // badge on the relay's box in the network view.
  await expect(page.locator(".mailbox", { hasText: "alice@example.com" })).toHaveText(/alice@example\.com on smtp\.example\.com: 1 message \(1 bounce\)/);
  await expect(page.locator(".net-row [data-node=relay] .badge.bounce")).toHaveText(/^\s*↩ bounce 1\s*$/);
  // The diagram shows the bounce rows, tagged in words.
  const bounceRows = page.locator(".sd-row.bounce");
  await expect(bounceRows.last(), "a bounce row in the diagram").toHaveText(/bounce/);
  // The current row is highlighted and on screen.
  await expect(page.locator(".sd-row.current")).toHaveCount(1);
  await expect(page.locator(".sd-row.current")).toBeVisible();
  // After load only the app's own files may be asked for again (Chromium re-reads the icon when
  // the URL changes); nothing from another origin, ever.
  const own = new Set([baseURL + "www/icon.svg"]);
  expect(requests.slice(loaded).filter((r) => !own.has(r)), "no request after load").toEqual([]);
  expect(problems).toEqual([]);
});

test("stepping back then forward shows the identical page", async ({ open }) => {
  const page = await visualizer(open, "./?scenario=unknown-user-bounce&step=30");
  await expect(stepCounter(page)).toHaveText(/^Step 30 \//);
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
  expect(before.current, "the current row is drawn").toBeTruthy();
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowLeft");
  await expect(stepCounter(page)).toHaveText(/^Step 25 \//);
  await expect(page.locator(".panel-inspector")).not.toHaveText(before.inspector, { useInnerText: true });
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
  await expect(stepCounter(page)).toHaveText(/^Step 30 \//);
  await expect(page.locator(".panel-inspector")).toHaveText(before.inspector, { useInnerText: true });
  const again = await snap();
  expect(again.main).toBe(before.main);
  expect(again.current).toBe(before.current);
  // Home and End.
  await page.keyboard.press("End");
  const total = Number(/\/ (\d+)/.exec(await stepCounter(page).textContent())[1]);
  await expect(stepCounter(page)).toHaveText(new RegExp(`^Step ${total} / ${total}`));
  await page.keyboard.press("Home");
  await expect(stepCounter(page)).toHaveText(/^Step 1 \//);
});

test("the URL opens a step, follows the steps, and says when a step is out of range", async ({ open }) => {
  const page = await visualizer(open, "./?scenario=unknown-user-bounce&step=12");
  await expect(stepCounter(page)).toHaveText(/^Step 12 \//);
  await expect(live(page)).toHaveText(/^Step 12 of \d+: /);
  await page.keyboard.press("ArrowRight");
  await expect(page).toHaveURL(/\?scenario=unknown-user-bounce&step=13$/);
  await page.getByRole("button", { name: /Greylisting/ }).click();
  await expect(page).toHaveURL(/\?scenario=greylisting-retry&step=1$/);
  await expect(page.getByRole("button", { name: /Greylisting/ })).toHaveAttribute("aria-current", "true");

  const far = await visualizer(open, "./?scenario=unknown-user-bounce&step=9999");
  await expect(stepCounter(far)).toHaveText(/^Step (\d+) \/ \1/);
  const total = Number(/\/ (\d+)/.exec(await stepCounter(far).textContent())[1]);
  await expect(far.locator(".notice")).toHaveText(new RegExp(`Step 9999 is past the end: this scenario has ${total} steps`));
});

test("hostile text in the URL is shown as text, never as HTML", async ({ open, problems }) => {
  const evil = encodeURIComponent("<img src=x onerror=window.__pwned=1>");
  const page = await visualizer(open, `./?scenario=${evil}`);
  await expect(page.locator(".notice")).toHaveText(/no built-in scenario called “<img src=x onerror=window.__pwned=1>”/);
  await expect(page.locator("img"), "no img element").toHaveCount(0);
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  expect(problems).toEqual([]);
});

test("Space plays and pauses; the picker works with the keyboard", async ({ open }) => {
  const page = await open(null, DESKTOP);
  // The play timer runs on Playwright's clock, so "paused means paused" is checked by moving
  // the clock on, not by waiting.
  await page.clock.install();
  await app(page, "./?scenario=happy-path");
  await page.keyboard.press(" ");
  await expect(page.getByRole("button", { name: "Pause", exact: true })).toHaveCount(1);
  await expect(stepCounter(page)).toHaveText(/Step [3-9]/);
  await page.keyboard.press(" ");
  await expect(page.getByRole("button", { name: "Play", exact: true })).toHaveCount(1);
  const paused = await stepCounter(page).textContent();
  await page.clock.runFor(3000);
  await expect(stepCounter(page), "paused means paused").toHaveText(paused);
  // Keyboard on the picker: focus a scenario and press Enter.
  const pick = page.locator("[data-scenario=mx-fallback]");
  await pick.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/scenario=mx-fallback/);
  await expect(pick, "focus ring on the picked scenario").not.toHaveCSS("outline-style", "none");
});

test("the help dialog opens with ?, keeps focus inside, and closes with Esc", async ({ open }) => {
  const page = await visualizer(open, "./?scenario=happy-path");
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("?");
  const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveText(/play \/ pause/);
  await screenshot(page, "help-1280x800-light");
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press("Tab");
    const inside = await page.evaluate(() => !!document.activeElement?.closest("dialog[open]") || document.activeElement === document.body);
    expect(inside, "focus stays in the dialog").toBe(true);
  }
  await page.keyboard.press("ArrowRight");
  await expect(stepCounter(page), "shortcuts are off while the dialog is open").toHaveText(/^Step 1 \//);
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await page.keyboard.press("ArrowRight");
  await expect(stepCounter(page), "shortcuts work again").toHaveText(/^Step 2 \//);
  // The ? button opens it too, and Close returns focus to the button.
  await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("button", { name: "Keyboard shortcuts" })).toBeFocused();
});

test("a diagram row can be selected with Enter and the inspector shows it", async ({ open }) => {
  const page = await visualizer(open, "./?scenario=unknown-user-bounce&step=20");
  const row = page.locator(".sd-row[data-seq='3']");
  await row.focus();
  await page.keyboard.press("Enter");
  await expect(page.locator(".insp-which")).toHaveText(/Selected step 4 of/);
  await expect(page.locator(".inspector")).toHaveAttribute("data-seq", "3");
  await page.getByRole("button", { name: "Back to the current step" }).click();
  await expect(page.locator(".insp-which")).toHaveText(/Current step 20 of/);
});

test("the inspector shows CR LF, the parsed fields, the explanation with its RFC and the state diagram", async ({ open }) => {
  const page = await visualizer(open, "./?scenario=unknown-user-bounce");
  const total = await totalAt(page, 1);
  // Go to the 550, one step at a time, waiting for each step before reading the caption.
  let step = 1;
  while (step < total && !(await live(page).textContent()).includes("replies 550")) {
    await page.keyboard.press("ArrowRight");
    step += 1;
    await expect(live(page)).toHaveText(new RegExp(`^Step ${step} of`));
  }
  const insp = page.locator(".inspector");
  await expect(insp.locator(".raw")).toHaveText(/^550 5\.1\.1 .*CRLF/);
  await expect(insp).toHaveText(/No such mailbox at this domain\./);
  await expect(insp.locator(".rfc")).toHaveText(/RFC 5321 §4\.2\.2/);
  await expect(insp.locator(".state-words")).toHaveText(/Mail: the state does not change/);
  // The end of data: the dot that ends the message is marked.
  while (step > 1 && !(await live(page).textContent()).includes("sends the message itself")) {
    await page.keyboard.press("ArrowLeft");
    step -= 1;
    await expect(live(page)).toHaveText(new RegExp(`^Step ${step} of`));
  }
  await expect(insp.locator("mark.end-dot").first()).toBeVisible();
});

for (const colorScheme of ["light", "dark"]) {
  test(`axe-core finds no serious or critical problem (${colorScheme})`, async ({ open }) => {
    const page = await visualizer(open, "./?scenario=unknown-user-bounce&step=47", { colorScheme });
    await expect(stepCounter(page)).toHaveText(/^Step 47 \//);
    expect(await axe(page)).toEqual([]);
  });
}

for (const [label, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 800 }]]) {
  for (const colorScheme of ["light", "dark"]) {
    test(`screenshots of the visualizer at ${viewport.width}×${viewport.height} (${label}), ${colorScheme}`, async ({ open, problems }) => {
      const page = await visualizer(open, "./?scenario=unknown-user-bounce&step=47", { viewport, colorScheme });
      await expect(stepCounter(page)).toHaveText(/^Step 47 \//);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      expect(scrollWidth, `page is ${scrollWidth}px wide in a ${clientWidth}px viewport`).toBeLessThanOrEqual(clientWidth);
      // The controls are reachable: the step buttons are on screen without scrolling.
      await expect(page.getByRole("button", { name: "Next step" }), "step forward is on screen").toBeInViewport({ ratio: 1 });
      await page.screenshot({ path: join(screensDir, `visualizer-${viewport.width}x${viewport.height}-${colorScheme}-viewport.png`) });
      await screenshot(page, `visualizer-${viewport.width}x${viewport.height}-${colorScheme}`);
      expect(problems).toEqual([]);
    });
  }
}
