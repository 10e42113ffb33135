// Browser tests of the node panels (Mailboxes, Queue, DNS zone tabs): the bounce arriving in the
// sender's mailbox after stepping to the end with the keyboard, the opened bounce (envelope,
// multipart/report, Status 5.1.1, the 550 diagnostic), the greylisting queue mid-way and at the
// end, the DNS zone's MX records and the asked-now mark, axe-core, and screenshots.
// (Converted from panels.test.mjs: the same checks, with web-first assertions.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test, expect, app, axe, screensDir, stepCounter, studio } from "./fixtures.mjs";

const DESKTOP = { viewport: { width: 1280, height: 800 }, reducedMotion: "reduce" };

async function panels(open, path, options = {}) {
  const page = await open(null, { ...DESKTOP, ...options });
  await app(page, path);
  await expect(page.locator("#live")).toBeAttached();
  return page;
}

const stepTo = (page, n) => expect(page.locator("#live")).toHaveText(new RegExp(`^Step ${n} of`));

async function total(page) {
  await expect(stepCounter(page)).toHaveText(/Step \d+ \/ \d+/);
  return Number(/Step \d+ \/ (\d+)/.exec(await stepCounter(page).textContent())[1]);
}

async function showTool(page, label) {
  await page.getByRole("tab", { name: label }).click();
  await studio(page);
  await expect(page.getByRole("tab", { name: label })).toHaveAttribute("aria-selected", "true");
}

test("unknown-user-bounce: keyboard to the end, the 550, then the bounce in Alice's mailbox", async ({ open, problems }) => {
  const page = await panels(open, "./?scenario=unknown-user-bounce");
  await showTool(page, "Mailboxes");
  await page.evaluate(() => document.activeElement?.blur());
  await expect(page.locator(".panel-mailboxes")).toHaveText(/No mailbox holds a message yet/);
  const steps = await total(page);
  const aliceTable = page.locator('.mailbox-table[data-mailbox="alice@example.com"]');
  let saw550 = false;
  let bounceAt = null;
  for (let i = 2; i <= steps; i++) {
    await page.keyboard.press("ArrowRight");
    await stepTo(page, i);
    if (/replies 550 5\.1\.1/.test(await page.locator("#live").textContent())) saw550 = true;
    if (bounceAt === null && (await aliceTable.count()) > 0) bounceAt = i;
  }
  expect(saw550, "the live region announced the 550 5.1.1").toBe(true);
  expect(bounceAt, "the bounce arrives in Alice's mailbox at the last step, not before").toBe(steps);
  await expect(aliceTable).toHaveText(/Bounce/);
  await expect(aliceTable).toHaveText(/MAILER-DAEMON/);

  // Open it with the keyboard: the focus moves to the message heading.
  await aliceTable.getByRole("button", { name: /Open .*bounce/ }).focus();
  await page.keyboard.press("Enter");
  await expect(page.locator("#message-heading")).toBeFocused();
  const msg = page.locator("article.message");
  await expect(msg).toHaveText(/MAIL FROM\s*<>/);
  await expect(msg).toHaveText(/RCPT TO\s*<alice@example\.com>/);
  await expect(msg).toHaveText(/the envelope .* is what servers route on/i);
  await expect(msg.locator('tr[data-type="multipart/report"]')).toHaveCount(1);
  await expect(msg.locator('tr[data-type="message/delivery-status"]')).toHaveCount(1);
  await expect(msg.locator('tr[data-field="Status"]')).toHaveText(/5\.1\.1.*permanent/);
  await expect(msg.locator('tr[data-field="Diagnostic-Code"]')).toHaveText(/550 5\.1\.1/);
  await expect(msg.locator(".msg-source")).toHaveText(/Content-Type: multipart\/report/);

  // The opened message downloads as .eml, byte for byte as stored.
  const [download] = await Promise.all([page.waitForEvent("download"), msg.getByRole("button", { name: "Download .eml" }).click()]);
  expect(download.suggestedFilename()).toBe("unknown-user-bounce-bounce-1.eml");
  const eml = readFileSync(await download.path(), "utf8");
  expect(eml).toMatch(/^Return-Path: <>\r?\n/);
  expect(eml).toMatch(/Content-Type: multipart\/report;\s+report-type=delivery-status/);
  await expect(msg.getByRole("status").filter({ hasText: "Downloading unknown-user-bounce-bounce-1.eml." })).toBeVisible();

  // CR LF can be made visible in the source.
  await expect(msg.locator(".msg-source .ctl")).toHaveCount(0);
  await msg.getByLabel(/Show the CR LF/).check();
  await expect.poll(() => msg.locator(".msg-source .ctl").count()).toBeGreaterThan(10);

  // Back returns the focus to the message's Open button.
  await msg.getByRole("button", { name: /Back to the mailboxes/ }).click();
  await expect(aliceTable.getByRole("button", { name: /Open/ }).first()).toBeFocused();

  // Stepping back one step, the bounce is not there yet (what is shown is true at the step).
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("ArrowLeft");
  await stepTo(page, steps - 1);
  await expect(aliceTable).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("greylisting-retry: the queue holds the message with an attempt and a retry time, then empties", async ({ open, problems }) => {
  const page = await panels(open, "./?scenario=greylisting-retry");
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
  expect(entry, "a step schedules a retry").not.toBeNull();
  const q = page.locator(".queue-entry");
  await expect(q).toHaveCount(1);
  await expect(q).toHaveText(/bob@example\.org/);
  await expect(q.locator(".qe-attempts")).toHaveText(/^1$/);
  await expect(q.locator(".qe-next")).toHaveText(/\+00:05:00\.540/);
  await expect(q.locator(".qe-error")).toHaveText(/451 4\.7\.1/);
  await page.keyboard.press("End");
  await stepTo(page, steps);
  await expect(page.locator(".queue-entry")).toHaveCount(0);
  await expect(page.locator(".panel-queue")).toHaveText(/Empty: nothing waits/);
  expect(problems).toEqual([]);
});

test("DNS zone: the MX records in a table, the asked record marked in words", async ({ open, problems }) => {
  const page = await panels(open, "./?scenario=unknown-user-bounce");
  await showTool(page, "DNS zone");
  const mx = page.locator('.dns-group[data-rtype="MX"] table');
  await expect(mx.locator("caption")).toHaveText(/MX records/);
  await expect(mx).toHaveText(/mx\.example\.org/);
  await expect(page.locator(".panel-dns")).toHaveText(/RFC 5321 §5\.1/);
  await expect(page.locator(".asked-tag"), "step 1 (Send) asks DNS nothing").toHaveCount(0);
  await page.evaluate(() => document.activeElement?.blur());
  // Walk to the relay's MX question.
  for (let i = 2; i < 40; i++) {
    await page.keyboard.press("ArrowRight");
    await stepTo(page, i);
    if (/asks DNS: example\.org MX/.test(await page.locator("#live").textContent())) break;
  }
  await expect(page.locator(".dns-question")).toHaveText(/example\.org MX\?/);
  await expect(mx.locator("tr.asked")).toHaveText(/asked now.*example\.org.*mx\.example\.org/);
  expect(await axe(page), "the asked-now row").toEqual([]);
  expect(problems).toEqual([]);
});

for (const colorScheme of ["light", "dark"]) {
  test(`node panels: axe-core finds no serious or critical problem (${colorScheme})`, async ({ open, problems }) => {
    const page = await panels(open, "./?scenario=unknown-user-bounce&step=1000", { colorScheme });
    await showTool(page, "Mailboxes");
    await page.locator('.mailbox-table[data-mailbox="alice@example.com"] button').click();
    await expect(page.locator("article.message")).toBeVisible();
    expect(await axe(page), "an opened bounce").toEqual([]);
    await showTool(page, "Queue");
    expect(await axe(page), "queue").toEqual([]);
    await showTool(page, "DNS zone");
    expect(await axe(page), "DNS zone").toEqual([]);
    expect(problems).toEqual([]);
  });
}

for (const [label, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 800 }]]) {
  for (const colorScheme of ["light", "dark"]) {
    test(`screenshots of the node panels at ${viewport.width}×${viewport.height} (${label}), ${colorScheme}`, async ({ open, problems }) => {
      const page = await panels(open, "./?scenario=unknown-user-bounce&step=1000", { viewport, colorScheme });
      await showTool(page, "Mailboxes");
      await page.locator('.mailbox-table[data-mailbox="alice@example.com"] button').click();
      await expect(page.locator("article.message")).toBeVisible();
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
      expect(scrollWidth, `page is ${scrollWidth}px wide in a ${clientWidth}px viewport`).toBeLessThanOrEqual(clientWidth);
      const name = `panels-${viewport.width}x${viewport.height}-${colorScheme}`;
      await page.locator(".tools").screenshot({ path: join(screensDir, `${name}-message.png`) });
      await app(page, "./?scenario=greylisting-retry&step=53");
      await showTool(page, "Queue");
      await page.locator(".tools").screenshot({ path: join(screensDir, `${name}-queue.png`) });
      await showTool(page, "DNS zone");
      await page.locator(".tools").screenshot({ path: join(screensDir, `${name}-dns.png`) });
      expect(problems).toEqual([]);
    });
  }
}
