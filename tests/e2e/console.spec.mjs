// Browser tests of the Console tool ("be the client"): connect to the MX of happy-path, an
// out-of-order MAIL gets 503 with its explanation, a whole message is accepted, ↑/↓ recall,
// Escape clears, a hint fills the input without sending, the page shortcuts stay off while
// typing, hostile lines stay text, the session survives a tab switch and a scenario switch resets
// it, axe-core, and screenshots at phone and desktop sizes in light and dark.
// (Converted from console.test.mjs: the same checks, with web-first assertions.)
import { join } from "node:path";
import { test, expect, app, axe, screenshot, screensDir, stepCounter, studio } from "./fixtures.mjs";

const DESKTOP = { viewport: { width: 1280, height: 800 }, reducedMotion: "reduce" };

/** The app at `path` in its own context, once its live region is there. A dialog (alert,
 * confirm) is a problem: the page must never open one. */
async function consolePage(open, problems, path, options = {}) {
  const page = await open(null, { ...DESKTOP, ...options });
  page.on("dialog", (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  await app(page, path);
  await expect(page.locator("#live")).toBeAttached();
  return page;
}

const log = (page) => page.locator(".console-log");
const input = (page) => page.locator("#console-line");
const items = (page) => page.locator(".console-log .cl-item");

/** Types a line into the console and presses Enter; waits (bounded) until the transcript has
 * grown, then gives the newest transcript item as a locator (for `toHaveText`). The console
 * answers in the same render, so the grown item already holds the server's reply. */
async function send(page, line) {
  const before = await items(page).count();
  await input(page).fill(line);
  await input(page).press("Enter");
  await expect.poll(() => items(page).count(), `the transcript grows after “${line.slice(0, 40)}”`).toBeGreaterThan(before);
  return items(page).last();
}

async function openConsole(page, node = "mx") {
  await page.getByRole("tab", { name: "Console" }).click();
  // The first tool hands the page from the viewer to the full app.
  await studio(page);
  await page.locator("#console-node").selectOption(node);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(log(page)).toHaveText(/220 /);
}

test("happy-path: 503 for MAIL before EHLO, then a whole message; history, hints, shortcuts off while typing", async ({ open, problems }) => {
  const page = await consolePage(open, problems, "./?scenario=happy-path");
  await openConsole(page);
  await expect(page.getByRole("tab", { name: "Console" })).toHaveAttribute("aria-selected", "true");
  const region = log(page);
  await expect(region).toHaveAttribute("role", "log");
  await expect(region).toHaveAttribute("aria-live", "polite");
  await expect(region).toHaveText(/S:220 mx\.example\.org ESMTP/);
  await expect(page.locator(".console-status")).toHaveText(/Connected to mx\.example\.org \(node mx\) port 25/);
  await expect(stepCounter(page)).toHaveText(/^Step \d+ \//);
  const counterBefore = await stepCounter(page).textContent();

  // Out of order: MAIL before EHLO.
  const bad = await send(page, "MAIL FROM:<a@b.example>");
  await expect(bad).toHaveText(/C:MAIL FROM:<a@b\.example>/);
  // Before EHLO too the server sends its enhanced status code (RFC 2034 §3).
  await expect(bad).toHaveText(/S:503 5\.5\.1 Bad sequence of commands: send EHLO or HELO first/);
  await expect(bad).toHaveText(/✗ 503 failed/);
  await expect(bad, "the explanation").toHaveText(/This command needs a greeting first\./);
  await expect(bad).toHaveText(/RFC 5321 §4\.1\.4/);
  await expect(bad).toHaveText(/state stays Connected/);
  // Typing "MAIL FROM" (L, space) did not step or play the visualizer. (Was read after
  // settle(); the reply above was rendered by the same Enter, so a step would show by now.)
  await expect(stepCounter(page), "page shortcuts are off while typing").toHaveText(counterBefore);

  // Hints: after EHLO the MAIL hint fills the input (and sends nothing).
  await expect(await send(page, "EHLO laptop.example.com")).toHaveText(/250 .*state Connected → Ready/s);
  await expect(page.locator(".console-hints h3")).toHaveText(/Valid now \(state Ready\)/);
  const count = await items(page).count();
  await page.locator(".hint-chip", { hasText: "MAIL FROM:" }).click();
  await expect(input(page)).toHaveValue("MAIL FROM:<alice@example.com>");
  await expect(input(page), "the input has the focus").toBeFocused();
  await expect(items(page), "a hint does not send").toHaveCount(count);
  await page.locator(".hint-details summary").click();
  await expect(page.locator(".hint-details")).toHaveText(/Syntax: MAIL FROM:<reverse-path>/);

  await expect(await send(page, "MAIL FROM:<a@b.example>")).toHaveText(/250 /);
  await expect(await send(page, "RCPT TO:<bob@example.org>")).toHaveText(/250 /);
  await expect(await send(page, "DATA")).toHaveText(/354 .*→ 354 go on/s);
  await expect(page.locator(".console-input label")).toHaveText(/Message line/);
  await expect(page.locator("#console-line-help")).toHaveText(/a line holding only \. ends the message/);
  await send(page, "Subject: console test");
  await send(page, "");
  await send(page, "Hello Bob.");
  const done = await send(page, ".");
  await expect(done).toHaveText(/250 .*✓ 250 done/s);
  await expect(done).toHaveText(/mailbox of bob@example\.org/);
  await expect(page.locator(".console-input label")).toHaveText(/SMTP command/);

  // ↑ recalls the previous lines, ↓ walks forward, Escape clears.
  await input(page).focus();
  await input(page).press("ArrowUp");
  await expect(input(page)).toHaveValue(".");
  await input(page).press("ArrowUp");
  await expect(input(page)).toHaveValue("Hello Bob.");
  await input(page).press("ArrowDown");
  await expect(input(page)).toHaveValue(".");
  await input(page).press("Escape");
  await expect(input(page)).toHaveValue("");
  await expect(stepCounter(page), "arrows in the input do not step").toHaveText(counterBefore);

  // Each line is shown with the CR LF the console sends.
  await expect.poll(() => page.locator(".console-log .cl-c .cl-crlf").count()).toBeGreaterThanOrEqual(8);

  // The session survives looking at another tool.
  await page.getByRole("tab", { name: "Inspector" }).click();
  await page.getByRole("tab", { name: "Console" }).click();
  await expect(page.getByRole("tab", { name: "Console" })).toHaveAttribute("aria-selected", "true");
  await expect(log(page)).toHaveText(/mailbox of bob@example\.org/);

  await page.screenshot({ path: join(screensDir, "console-session-1280x800-light-viewport.png") });
  expect(problems).toEqual([]);
});

test("hostile lines are shown as text with the server's real answer", async ({ open, problems }) => {
  const page = await consolePage(open, problems, "./?scenario=happy-path");
  await page.evaluate(() => { window.__alerts = 0; window.alert = () => { window.__alerts++; }; });
  await openConsole(page);
  const markup = "<img src=x onerror=alert(1)>";
  const reply = await send(page, markup);
  await expect(reply, "the markup is shown as text").toContainText(markup);
  await expect(reply).toHaveText(/500 /);
  await expect(await send(page, `EHLO ${markup}`)).toHaveText(/501 /);
  await expect(await send(page, "NOOP <script>alert(2)</script> \u00e9\u00e8 \u{1F600}")).toHaveText(/C:NOOP <script>alert\(2\)<\/script> éè 😀/);
  const long = await send(page, "x".repeat(10 * 1024));
  await expect(long).toHaveText(/500 /);
  await expect(long).toHaveText(/more characters, not shown here/);
  // (Was read after settle(); the assertions above waited for the last reply to be drawn.)
  const counts = await page.evaluate(() => ({
    img: document.querySelectorAll("img").length,
    script: document.querySelectorAll(".console script, main script").length,
    alerts: window.__alerts,
  }));
  expect(counts).toEqual({ img: 0, script: 0, alerts: 0 });
  // No horizontal overflow from the long line.
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  expect(scrollWidth, `page is ${scrollWidth}px wide in ${clientWidth}px`).toBeLessThanOrEqual(clientWidth);
  expect(problems).toEqual([]);
});

test("a scenario switch resets the console; relay-denied offers an address inside the trusted network", async ({ open, problems }) => {
  const page = await consolePage(open, problems, "./?scenario=happy-path");
  await openConsole(page);
  await send(page, "EHLO me.example");
  await expect(page.locator("#console-from"), "happy-path: the address does not matter").toHaveCount(0);
  await expect(page.locator("#console-port option")).toHaveText([]);
  await page.locator("#console-node").selectOption("relay");
  await expect(page.locator("#console-port option")).toHaveText(["25 — SMTP relay, server to server", "587 — message submission, with AUTH"]);

  await page.locator('button[data-scenario="relay-denied"]').click();
  await expect(page.locator(".console-status")).toHaveText(/Not connected/);
  await expect(items(page), "the transcript starts empty").toHaveCount(0);
  await page.locator("#console-from").selectOption("192.0.2.50");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(log(page)).toHaveText(/220 /);
  await expect(page.locator(".console-status")).toHaveText(/from 192\.0\.2\.50/);
  await send(page, "EHLO inside.example");
  await send(page, "MAIL FROM:<x@example.com>");
  await expect(await send(page, "RCPT TO:<bob@example.org>")).toHaveText(/250 /);
  await page.getByRole("button", { name: "Disconnect" }).click();
  await expect(items(page).last()).toHaveText(/Disconnected without QUIT/);
  expect(problems).toEqual([]);
});

for (const colorScheme of ["light", "dark"]) {
  test(`console: axe-core finds no serious or critical problem (${colorScheme})`, async ({ open, problems }) => {
    const page = await consolePage(open, problems, "./?scenario=happy-path", { colorScheme });
    await openConsole(page);
    await send(page, "MAIL FROM:<a@b.example>");
    await expect(await send(page, "EHLO me.example")).toHaveText(/250 /);
    await page.locator(".hint-details summary").click();
    await expect(page.locator(".hint-details")).toHaveAttribute("open", "");
    expect(await axe(page)).toEqual([]);
  });
}

for (const [label, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 800 }]]) {
  test(`console screenshots at ${viewport.width}×${viewport.height} (${label}), light and dark`, async ({ open, problems }) => {
    for (const colorScheme of ["light", "dark"]) {
      const page = await consolePage(open, problems, "./?scenario=happy-path", { viewport, colorScheme });
      await openConsole(page);
      for (const line of ["MAIL FROM:<a@b.example>", "EHLO laptop.example.com", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.org>", "DATA"]) {
        await send(page, line);
      }
      await expect(items(page).last()).toHaveText(/354 /);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
      expect(scrollWidth, `${colorScheme}: page is ${scrollWidth}px wide in a ${clientWidth}px viewport`).toBeLessThanOrEqual(clientWidth);
      // The newest reply is scrolled into view inside the transcript (an effect after the
      // render scrolls it: polled, bounded).
      await expect.poll(() => log(page).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight), "the transcript shows its newest line").toBeLessThanOrEqual(2);
      await screenshot(page, `console-${viewport.width}x${viewport.height}-${colorScheme}`);
      // The tool alone (the sticky playback bar would cover it in an element screenshot).
      // (Through the CSSOM: the page's CSP refuses an inline <style>, as page.addStyleTag adds.)
      await page.evaluate(() => document.querySelector(".panel-controls").style.setProperty("position", "static", "important"));
      await expect(page.locator(".panel-controls")).toHaveCSS("position", "static");
      await page.locator(".tools").screenshot({ path: join(screensDir, `console-${viewport.width}x${viewport.height}-${colorScheme}-tool.png`) });
      expect(problems).toEqual([]);
    }
  });
}
