// Browser tests of retrieval (issue 10) in the page: a scenario whose mail programs pull with POP3
// or IMAP opens in the full app (the viewer leaves retrieval out, `world::needs_studio`), pull
// arrows carry the words "⤓ pull", the inspector explains a POP3 response from its typed facts
// (protocol, the command it answers, the server's states), and Mailboxes shows a message's UID
// and whether it is \Seen at the step. A step number is the event's line in the scenario's
// transcript (tests/snapshots/<id>.snap, counting the lines that start with a time).
import { test, expect, stepCounter, studio } from "./fixtures.mjs";

const OPTIONS = { viewport: { width: 1280, height: 800 } };

test("pop3-wrong-password at its -ERR [AUTH]: in the full app, pull said in words, the inspector explains the response", async ({ open, problems }) => {
  const page = await open("./?scenario=pop3-wrong-password&step=57", OPTIONS);
  await studio(page);
  await expect(stepCounter(page)).toHaveText(/^Step 57 \//);
  await expect(page.locator(".sd-legend")).toHaveText(/⤓ pull: POP3\/IMAP/);
  await expect(page.locator(".sd-pull-tag").first()).toBeAttached();
  const inspector = page.locator(".inspector");
  await expect(inspector.locator(".insp-text")).toHaveText(/^-ERR \[AUTH\]/);
  const fields = inspector.locator(".fields");
  await expect(fields).toHaveText(/POP3 — pull/);
  await expect(fields).toHaveText(/Answers\s*PASS/);
  await expect(fields).toHaveText(/AUTHORIZATION \(unchanged\)/);
  await expect(inspector.locator(".rfc")).toHaveText(/RFC 3206 §5/);
  expect(problems).toEqual([]);
});

test("imap-two-devices: Mailboxes shows UID 1 unread before the phone's STORE is answered and \\Seen from then on", async ({ open, problems }) => {
  const page = await open("./?scenario=imap-two-devices&step=72", OPTIONS);
  await studio(page);
  await page.getByRole("tab", { name: "Mailboxes" }).click();
  const bob = page.locator('.mailbox-table[data-mailbox="bob@example.org"]');
  await expect(bob.locator(".msg-flags").first()).toHaveText("UID 1, unread");
  // The arrow keys step the player, not the tabs, once the tab has no focus.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("ArrowRight");
  await expect(stepCounter(page)).toHaveText(/^Step 73 \//);
  await expect(bob.locator(".msg-flags").first()).toHaveText("UID 1, \\Seen");
  expect(problems).toEqual([]);
});
