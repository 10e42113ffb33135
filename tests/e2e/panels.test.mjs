// Browser tests of the node panels (Mailboxes, Queue, DNS zone tabs): the bounce arriving in the
// sender's mailbox after stepping to the end with the keyboard, the opened bounce (envelope,
// multipart/report, Status 5.1.1, the 550 diagnostic), the greylisting queue mid-way and at the
// end, the DNS zone's MX records and the asked-now mark, axe-core, and screenshots.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { baseUrl, launch, screensDir, settle, stopServer, waitForApp, injectAxe } from "./harness.mjs";


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
  await page.goto(url + path);
  await waitForApp(page);
  await page.locator("#live").waitFor();
  return { context, page, problems };
}

async function stepTo(page, n) {
  await page.waitForFunction((n) => document.querySelector("#live").textContent.startsWith(`Step ${n} of`), n);
}

async function total(page) {
  const m = /Step \d+ \/ (\d+)/.exec(await page.locator(".counter-step").textContent());
  return Number(m[1]);
}

async function showTool(page, label) {
  await page.getByRole("tab", { name: label }).click();
  await settle(page);
  assert.equal(await page.getByRole("tab", { name: label }).getAttribute("aria-selected"), "true");
}

test("unknown-user-bounce: keyboard to the end, the 550, then the bounce in Alice's mailbox", async () => {
  const { context, page, problems } = await open("?scenario=unknown-user-bounce");
  await showTool(page, "Mailboxes");
  await page.evaluate(() => document.activeElement?.blur());
  assert.match(await page.locator(".panel-mailboxes").textContent(), /No mailbox holds a message yet/);
  const steps = await total(page);
  let saw550 = false;
  let bounceAt = null;
  for (let i = 2; i <= steps; i++) {
    await page.keyboard.press("ArrowRight");
    await stepTo(page, i);
    const live = await page.locator("#live").textContent();
    if (/replies 550 5\.1\.1/.test(live)) saw550 = true;
    if (bounceAt === null && (await page.locator('.mailbox-table[data-mailbox="alice@example.com"]').count()) > 0) bounceAt = i;
  }
  assert.ok(saw550, "the live region announced the 550 5.1.1");
  assert.equal(bounceAt, steps, "the bounce arrives in Alice's mailbox at the last step, not before");
  const alice = page.locator('.mailbox-table[data-mailbox="alice@example.com"]');
  assert.match(await alice.textContent(), /Bounce/);
  assert.match(await alice.textContent(), /MAILER-DAEMON/);

  // Open it with the keyboard: the focus moves to the message heading.
  await alice.getByRole("button", { name: /Open .*bounce/ }).focus();
  await page.keyboard.press("Enter");
  await settle(page);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "message-heading");
  const msg = page.locator("article.message");
  const text = await msg.textContent();
  assert.match(text, /MAIL FROM\s*<>/);
  assert.match(text, /RCPT TO\s*<alice@example\.com>/);
  assert.match(text, /the envelope .* is what servers route on/i);
  assert.equal(await msg.locator('tr[data-type="multipart/report"]').count(), 1);
  assert.equal(await msg.locator('tr[data-type="message/delivery-status"]').count(), 1);
  assert.match(await msg.locator('tr[data-field="Status"]').textContent(), /5\.1\.1.*permanent/);
  assert.match(await msg.locator('tr[data-field="Diagnostic-Code"]').textContent(), /550 5\.1\.1/);
  assert.match(await msg.locator(".msg-source").textContent(), /Content-Type: multipart\/report/);

  // The opened message downloads as .eml, byte for byte as stored.
  const [download] = await Promise.all([page.waitForEvent("download"), msg.getByRole("button", { name: "Download .eml" }).click()]);
  assert.equal(download.suggestedFilename(), "unknown-user-bounce-bounce-1.eml");
  const eml = readFileSync(await download.path(), "utf8");
  assert.match(eml, /^Return-Path: <>\r?\n/);
  assert.match(eml, /Content-Type: multipart\/report;\s+report-type=delivery-status/);
  await msg.getByRole("status").filter({ hasText: "Downloading unknown-user-bounce-bounce-1.eml." }).waitFor();

  // CR LF can be made visible in the source.
  assert.equal(await msg.locator(".msg-source .ctl").count(), 0);
  await msg.getByLabel(/Show the CR LF/).check();
  await settle(page);
  assert.ok((await msg.locator(".msg-source .ctl").count()) > 10);

  // Back returns the focus to the message's Open button.
  await msg.getByRole("button", { name: /Back to the mailboxes/ }).click();
  await settle(page);
  assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ""), /Open/);

  // Stepping back one step, the bounce is not there yet (what is shown is true at the step).
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("ArrowLeft");
  await stepTo(page, steps - 1);
  assert.equal(await page.locator('.mailbox-table[data-mailbox="alice@example.com"]').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("greylisting-retry: the queue holds the message with an attempt and a retry time, then empties", async () => {
  const { context, page, problems } = await open("?scenario=greylisting-retry");
  await showTool(page, "Queue");
  // Find the step that schedules the retry, with the keyboard.
  await page.evaluate(() => document.activeElement?.blur());
  const steps = await total(page);
  let entry = null;
  for (let i = 2; i <= steps && entry === null; i++) {
    await page.keyboard.press("ArrowRight");
    await stepTo(page, i);
    if (/next try at/.test(await page.locator("#live").textContent())) entry = i;
  }
  assert.ok(entry, "a step schedules a retry");
  const q = page.locator(".queue-entry");
  assert.equal(await q.count(), 1);
  const t = await q.textContent();
  assert.match(t, /bob@example\.org/);
  assert.match(await q.locator(".qe-attempts").textContent(), /^1$/);
  assert.match(await q.locator(".qe-next").textContent(), /\+00:05:00\.540/);
  assert.match(await q.locator(".qe-error").textContent(), /451 4\.7\.1/);
  await page.keyboard.press("End");
  await stepTo(page, steps);
  assert.equal(await page.locator(".queue-entry").count(), 0);
  assert.match(await page.locator(".panel-queue").textContent(), /Empty: nothing waits/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("DNS zone: the MX records in a table, the asked record marked in words", async () => {
  const { context, page, problems } = await open("?scenario=unknown-user-bounce");
  await showTool(page, "DNS zone");
  const mx = page.locator('.dns-group[data-rtype="MX"] table');
  assert.match(await mx.locator("caption").textContent(), /MX records/);
  assert.match(await mx.textContent(), /mx\.example\.org/);
  assert.match(await page.locator(".panel-dns").textContent(), /RFC 5321 §5\.1/);
  assert.equal(await page.locator(".asked-tag").count(), 0, "step 1 (Send) asks DNS nothing");
  await page.evaluate(() => document.activeElement?.blur());
  // Walk to the relay's MX question.
  for (let i = 2; i < 40; i++) {
    await page.keyboard.press("ArrowRight");
    await stepTo(page, i);
    if (/asks DNS: example\.org MX/.test(await page.locator("#live").textContent())) break;
  }
  assert.match(await page.locator(".dns-question").textContent(), /example\.org MX\?/);
  assert.match(await mx.locator("tr.asked").textContent(), /asked now.*example\.org.*mx\.example\.org/);
  await injectAxe(page);
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`);
  assert.deepEqual(bad, [], "the asked-now row");
  assert.deepEqual(problems, []);
  await context.close();
});

for (const colorScheme of ["light", "dark"]) {
  test(`node panels: axe-core finds no serious or critical problem (${colorScheme})`, async () => {
    const { context, page, problems } = await open("?scenario=unknown-user-bounce&step=1000", { colorScheme });
    const check = async (what) => {
      await injectAxe(page);
      const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
      const bad = result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
      assert.deepEqual(bad, [], what);
    };
    await showTool(page, "Mailboxes");
    await page.locator('.mailbox-table[data-mailbox="alice@example.com"] button').click();
    await settle(page);
    await check("an opened bounce");
    await showTool(page, "Queue");
    await check("queue");
    await showTool(page, "DNS zone");
    await check("DNS zone");
    assert.deepEqual(problems, []);
    await context.close();
  });
}

for (const [label, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 800 }]]) {
  test(`screenshots of the node panels at ${viewport.width}×${viewport.height} (${label}), light and dark`, async () => {
    for (const colorScheme of ["light", "dark"]) {
      const { context, page, problems } = await open("?scenario=unknown-user-bounce&step=1000", { viewport, colorScheme });
      await showTool(page, "Mailboxes");
      await page.locator('.mailbox-table[data-mailbox="alice@example.com"] button').click();
      await settle(page);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
      assert.ok(scrollWidth <= clientWidth, `${colorScheme}: page is ${scrollWidth}px wide in a ${clientWidth}px viewport`);
      const name = `panels-${viewport.width}x${viewport.height}-${colorScheme}`;
      await page.locator(".tools").screenshot({ path: join(screensDir, `${name}-message.png`) });
      await page.goto(url + "?scenario=greylisting-retry&step=53");
      await waitForApp(page);
      await showTool(page, "Queue");
      await page.locator(".tools").screenshot({ path: join(screensDir, `${name}-queue.png`) });
      await showTool(page, "DNS zone");
      await page.locator(".tools").screenshot({ path: join(screensDir, `${name}-dns.png`) });
      assert.deepEqual(problems, []);
      await context.close();
    }
  });
}
