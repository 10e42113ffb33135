// Browser tests of the Console tool ("be the client"): connect to the MX of happy-path, an
// out-of-order MAIL gets 503 with its explanation, a whole message is accepted, ↑/↓ recall,
// Escape clears, a hint fills the input without sending, the page shortcuts stay off while
// typing, hostile lines stay text, the session survives a tab switch and a scenario switch resets
// it, axe-core, and screenshots at phone and desktop sizes in light and dark.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { baseUrl, launch, screensDir, screenshot, settle, stopServer, waitForApp, injectAxe } from "./harness.mjs";


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
  page.on("dialog", (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(url + path);
  await waitForApp(page);
  await page.locator("#live").waitFor();
  return { context, page, problems };
}

const log = (page) => page.locator(".console-log");
const input = (page) => page.locator("#console-line");

/** The items of the transcript. */
async function itemCount(page) {
  return await page.locator(".console-log .cl-item").count();
}

/** The text of the newest transcript item. */
async function lastItem(page) {
  return (await page.locator(".console-log .cl-item").last().textContent()) ?? "";
}

/** Types a line into the console and presses Enter; waits for the transcript to grow. */
async function send(page, line) {
  const before = await itemCount(page);
  await input(page).fill(line);
  await input(page).press("Enter");
  await page.waitForFunction((n) => document.querySelectorAll(".console-log .cl-item").length > n, before);
  await settle(page);
  return await lastItem(page);
}

async function openConsole(page, node = "mx") {
  await page.getByRole("tab", { name: "Console" }).click();
  await page.locator("#console-node").selectOption(node);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.waitForFunction(() => /220 /.test(document.querySelector(".console-log")?.textContent ?? ""));
  await settle(page);
}

test("happy-path: 503 for MAIL before EHLO, then a whole message; history, hints, shortcuts off while typing", async () => {
  const { context, page, problems } = await open("?scenario=happy-path");
  await openConsole(page);
  assert.equal(await page.getByRole("tab", { name: "Console" }).getAttribute("aria-selected"), "true");
  const region = log(page);
  assert.equal(await region.getAttribute("role"), "log");
  assert.equal(await region.getAttribute("aria-live"), "polite");
  assert.match(await region.textContent(), /S:220 mx\.example\.org ESMTP/);
  assert.match(await page.locator(".console-status").textContent(), /Connected to mx\.example\.org \(node mx\) port 25/);
  const counterBefore = await page.locator(".counter-step").textContent();

  // Out of order: MAIL before EHLO.
  const bad = await send(page, "MAIL FROM:<a@b.example>");
  assert.match(bad, /C:MAIL FROM:<a@b\.example>/);
  // Before EHLO too the server sends its enhanced status code (RFC 2034 §3).
  assert.match(bad, /S:503 5\.5\.1 Bad sequence of commands: send EHLO or HELO first/);
  assert.match(bad, /✗ 503 failed/);
  assert.match(bad, /This command needs a greeting first\./, "the explanation");
  assert.match(bad, /RFC 5321 §4\.1\.4/);
  assert.match(bad, /state stays Connected/);
  // Typing "MAIL FROM" (L, space) did not step or play the visualizer.
  assert.equal(await page.locator(".counter-step").textContent(), counterBefore, "page shortcuts are off while typing");

  // Hints: after EHLO the MAIL hint fills the input (and sends nothing).
  assert.match(await send(page, "EHLO laptop.example.com"), /250 .*state Connected → Ready/s);
  assert.match(await page.locator(".console-hints h3").textContent(), /Valid now \(state Ready\)/);
  const items = await itemCount(page);
  await page.locator(".hint-chip", { hasText: "MAIL FROM:" }).click();
  await settle(page);
  assert.equal(await input(page).inputValue(), "MAIL FROM:<alice@example.com>");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "console-line", "the input has the focus");
  assert.equal(await itemCount(page), items, "a hint does not send");
  await page.locator(".hint-details summary").click();
  assert.match(await page.locator(".hint-details").textContent(), /Syntax: MAIL FROM:<reverse-path>/);

  assert.match(await send(page, "MAIL FROM:<a@b.example>"), /250 /);
  assert.match(await send(page, "RCPT TO:<bob@example.org>"), /250 /);
  assert.match(await send(page, "DATA"), /354 .*→ 354 go on/s);
  assert.match(await page.locator(".console-input label").textContent(), /Message line/);
  assert.match(await page.locator("#console-line-help").textContent(), /a line holding only \. ends the message/);
  await send(page, "Subject: console test");
  await send(page, "");
  await send(page, "Hello Bob.");
  const done = await send(page, ".");
  assert.match(done, /250 .*✓ 250 done/s);
  assert.match(done, /mailbox of bob@example\.org/);
  assert.match(await page.locator(".console-input label").textContent(), /SMTP command/);

  // ↑ recalls the previous lines, ↓ walks forward, Escape clears.
  await input(page).focus();
  await input(page).press("ArrowUp");
  await settle(page);
  assert.equal(await input(page).inputValue(), ".");
  await input(page).press("ArrowUp");
  await settle(page);
  assert.equal(await input(page).inputValue(), "Hello Bob.");
  await input(page).press("ArrowDown");
  await settle(page);
  assert.equal(await input(page).inputValue(), ".");
  await input(page).press("Escape");
  await settle(page);
  assert.equal(await input(page).inputValue(), "");
  assert.equal(await page.locator(".counter-step").textContent(), counterBefore, "arrows in the input do not step");

  // Each line is shown with the CR LF the console sends.
  assert.ok((await page.locator(".console-log .cl-c .cl-crlf").count()) >= 8);

  // The session survives looking at another tool.
  await page.getByRole("tab", { name: "Inspector" }).click();
  await page.getByRole("tab", { name: "Console" }).click();
  await settle(page);
  assert.match(await log(page).textContent(), /mailbox of bob@example\.org/);

  await page.screenshot({ path: join(screensDir, "console-session-1280x800-light-viewport.png") });
  assert.deepEqual(problems, []);
  await context.close();
});

test("hostile lines are shown as text with the server's real answer", async () => {
  const { context, page, problems } = await open("?scenario=happy-path");
  await page.evaluate(() => { window.__alerts = 0; window.alert = () => { window.__alerts++; }; });
  await openConsole(page);
  const markup = "<img src=x onerror=alert(1)>";
  const reply = await send(page, markup);
  assert.ok(reply.includes(markup), "the markup is shown as text");
  assert.match(reply, /500 /);
  assert.match(await send(page, `EHLO ${markup}`), /501 /);
  assert.match(await send(page, "NOOP <script>alert(2)</script> \u00e9\u00e8 \u{1F600}"), /C:NOOP <script>alert\(2\)<\/script> éè 😀/);
  const long = await send(page, "x".repeat(10 * 1024));
  assert.match(long, /500 /);
  assert.match(long, /more characters, not shown here/);
  await settle(page);
  const counts = await page.evaluate(() => ({
    img: document.querySelectorAll("img").length,
    script: document.querySelectorAll(".console script, main script").length,
    alerts: window.__alerts,
  }));
  assert.deepEqual(counts, { img: 0, script: 0, alerts: 0 });
  // No horizontal overflow from the long line.
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  assert.ok(scrollWidth <= clientWidth, `page is ${scrollWidth}px wide in ${clientWidth}px`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a scenario switch resets the console; relay-denied offers an address inside the trusted network", async () => {
  const { context, page, problems } = await open("?scenario=happy-path");
  await openConsole(page);
  await send(page, "EHLO me.example");
  assert.equal(await page.locator("#console-from").count(), 0, "happy-path: the address does not matter");
  assert.deepEqual(await page.locator("#console-port option").allTextContents(), []);
  await page.locator("#console-node").selectOption("relay");
  await settle(page);
  assert.deepEqual(await page.locator("#console-port option").allTextContents(), ["25 — SMTP relay, server to server", "587 — message submission, with AUTH"]);

  await page.locator('button[data-scenario="relay-denied"]').click();
  await page.waitForFunction(() => /Not connected/.test(document.querySelector(".console-status")?.textContent ?? ""));
  assert.equal(await page.locator(".console-log .cl-item").count(), 0, "the transcript starts empty");
  await page.locator("#console-from").selectOption("192.0.2.50");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.waitForFunction(() => /220 /.test(document.querySelector(".console-log")?.textContent ?? ""));
  assert.match(await page.locator(".console-status").textContent(), /from 192\.0\.2\.50/);
  await send(page, "EHLO inside.example");
  await send(page, "MAIL FROM:<x@example.com>");
  assert.match(await send(page, "RCPT TO:<bob@example.org>"), /250 /);
  await page.getByRole("button", { name: "Disconnect" }).click();
  await settle(page);
  assert.match(await lastItem(page), /Disconnected without QUIT/);
  assert.deepEqual(problems, []);
  await context.close();
});

for (const colorScheme of ["light", "dark"]) {
  test(`console: axe-core finds no serious or critical problem (${colorScheme})`, async () => {
    const { context, page } = await open("?scenario=happy-path", { colorScheme });
    await openConsole(page);
    await send(page, "MAIL FROM:<a@b.example>");
    await send(page, "EHLO me.example");
    await page.locator(".hint-details summary").click();
    await injectAxe(page);
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    const bad = result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    assert.deepEqual(bad, []);
    await context.close();
  });
}

for (const [label, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 800 }]]) {
  test(`console screenshots at ${viewport.width}×${viewport.height} (${label}), light and dark`, async () => {
    for (const colorScheme of ["light", "dark"]) {
      const { context, page, problems } = await open("?scenario=happy-path", { viewport, colorScheme });
      await openConsole(page);
      for (const line of ["MAIL FROM:<a@b.example>", "EHLO laptop.example.com", "MAIL FROM:<alice@example.com>", "RCPT TO:<bob@example.org>", "DATA"]) {
        await send(page, line);
      }
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
      assert.ok(scrollWidth <= clientWidth, `${colorScheme}: page is ${scrollWidth}px wide in a ${clientWidth}px viewport`);
      // The newest reply is scrolled into view inside the transcript.
      const bottom = await log(page).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
      assert.ok(bottom <= 2, `the transcript shows its newest line (${bottom}px below)`);
      await screenshot(page, `console-${viewport.width}x${viewport.height}-${colorScheme}`);
      // The tool alone (the sticky playback bar would cover it in an element screenshot).
      // (Through the CSSOM: the page's CSP refuses an inline <style>, as page.addStyleTag adds.)
      await page.evaluate(() => document.querySelector(".panel-controls").style.setProperty("position", "static", "important"));
      await page.locator(".tools").screenshot({ path: join(screensDir, `console-${viewport.width}x${viewport.height}-${colorScheme}-tool.png`) });
      assert.deepEqual(problems, []);
      await context.close();
    }
  });
}
