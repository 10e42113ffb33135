// Browser tests of the scenario editor: a fault changes the trace at once, the edit survives a
// reload (autosave in localStorage) with the badge and a notice, Reset to built-in (and its
// undo) restores the original, a composed message with an attachment is delivered (its DATA in
// the trace), hostile text stays text, errors sit next to their fields, damaged or unavailable
// storage is handled, axe-core finds nothing serious, and screenshots.
// (Converted from editor.test.mjs: the same checks, with web-first assertions.)
import { join } from "node:path";
import { test, expect, app, axe, screenshot, screensDir, stepCounter, studio } from "./fixtures.mjs";

const KEY = "smtp-sim.edit.happy-path";
const HOSTILE = "<img src=x onerror=alert(1)>";
const DESKTOP = { viewport: { width: 1280, height: 800 }, reducedMotion: "reduce" };

/** The app at `path` in its own context; `init` runs before the page's scripts. A dialog
 * (alert/confirm) is a problem: the page must never open one. */
async function editorPage(open, problems, path, options = {}, init = null) {
  const page = await open(null, { ...DESKTOP, ...options });
  if (init) await page.context().addInitScript(init.script, init.arg);
  page.on("dialog", (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  await app(page, path);
  await expect(page.locator("#live")).toBeAttached();
  return page;
}

const numbers = async (page) => (/Step (\d+) \/ (\d+)/.exec(await stepCounter(page).textContent()) ?? []).slice(1).map(Number);
const totalOf = async (page) => (await numbers(page))[1];

async function openEditor(page) {
  await page.getByRole("tab", { name: "Editor" }).click();
  await studio(page);
  await expect(page.locator(".editor")).toBeVisible();
}

async function openNode(page, id) {
  const details = page.locator(`details[data-node="${id}"]`);
  if ((await details.getAttribute("open")) === null) await details.locator("summary").click();
  await expect(details).toHaveAttribute("open", "");
}

/** Waits (bounded) until the step count satisfies `predicate`; returns it. */
async function waitForTotal(page, predicate, what) {
  await expect.poll(async () => predicate(await totalOf(page)), `the step count becomes ${what}`).toBe(true);
  return await totalOf(page);
}

/** Steps back one step at a time (at most `limit`) until the live region matches `re`. */
async function stepBackUntil(page, re, limit, where = "#live") {
  for (let i = 0; i < limit; i++) {
    if (re.test((await page.locator(where).textContent()) ?? "")) return true;
    const [step] = await numbers(page);
    if (step <= 1) return false;
    await page.locator("body").press("ArrowLeft");
    await expect(stepCounter(page)).toHaveText(new RegExp(`^Step ${step - 1} /`));
  }
  return re.test((await page.locator(where).textContent()) ?? "");
}

test("a full mailbox changes the trace at once; the edit survives a reload; Reset (and Undo) restore the original", async ({ open, problems }) => {
  const page = await editorPage(open, problems, "./?scenario=happy-path");
  await expect(stepCounter(page)).toHaveText(/^Step 1 \//);
  const original = await totalOf(page);
  await openEditor(page);
  await expect(page.locator(".editor-badge")).toHaveText("Built-in, unchanged");
  await openNode(page, "mx");
  await page.locator("#editor-mx-full-0").selectOption("permanent");
  const edited = await waitForTotal(page, (t) => t !== original, `different from ${original}`);
  await expect(page.locator(".editor-status")).toHaveText(/example\.org MX: bob@example\.org is full for good \(552 5\.2\.2\)\. The trace has \d+ steps\./);
  await expect(page.locator(".editor-badge")).toHaveText(/Edited — differs from the built-in/);
  // The trace now holds the 552 and the relay's bounce.
  await page.locator("body").press("End");
  await expect(page.locator("#live")).toHaveText(new RegExp(`^Step ${edited} of ${edited}`));
  expect(await stepBackUntil(page, /552/, 40), "a step of the new trace is the MX's 552").toBe(true);
  expect(await page.evaluate((k) => localStorage.getItem(k), KEY), "saved in localStorage").toBeTruthy();
  // The address follows the step a moment later and then carries the edited scenario as a
  // share link (#v6.…): a reload keeps the edits through it.
  const [at] = await numbers(page);
  await expect(page).toHaveURL(new RegExp(`step=${at}#v6\\.`));
  await page.reload();
  await app(page, null);
  await expect(stepCounter(page), "the edit is kept after a reload").toHaveText(new RegExp(`^Step ${at} / ${edited}$`));
  // Opened without the link, the autosave in localStorage restores them, and says so. (The old
  // test saw this notice on a reload only when it reloaded before the address had caught up.)
  await app(page, "./?scenario=happy-path");
  await expect(stepCounter(page), "the edit is restored from localStorage").toHaveText(new RegExp(`/ ${edited}$`));
  await expect(page.locator(".notice")).toHaveText(/Your edits to this scenario were restored — Reset to built-in to discard them/);
  await openEditor(page);
  await expect(page.locator(".editor-badge")).toHaveText(/Edited/);
  await openNode(page, "mx");
  await expect(page.locator("#editor-mx-full-0")).toHaveValue("permanent");
  await expect(page.locator('details[data-node="mx"] summary')).toHaveText(/1 full mailbox/);

  // Opening another scenario from the picker and coming back restores the edits too.
  await page.locator('button[data-scenario="null-mx"]').click();
  await waitForTotal(page, (t) => t !== edited, "another scenario's");
  await expect(page.locator(".editor-badge")).toHaveText("Built-in, unchanged");
  await page.locator('button[data-scenario="happy-path"]').click();
  await waitForTotal(page, (t) => t === edited, String(edited));
  await expect(page.locator(".notice")).toHaveText(/Your edits to this scenario were restored/);
  await expect(page.locator(".editor-badge")).toHaveText(/Edited/);

  await page.getByRole("button", { name: "Reset to built-in" }).click();
  await waitForTotal(page, (t) => t === original, String(original));
  await expect(page.locator(".editor-badge")).toHaveText("Built-in, unchanged");
  expect(await page.evaluate((k) => localStorage.getItem(k), KEY), "the saved edits are removed").toBeNull();
  // Undo brings the edits back (and saves them again); reset once more.
  await page.getByRole("button", { name: "Undo reset" }).click();
  await waitForTotal(page, (t) => t === edited, String(edited));
  await expect.poll(() => page.evaluate((k) => localStorage.getItem(k), KEY)).toBeTruthy();
  await page.getByRole("button", { name: "Reset to built-in" }).click();
  await waitForTotal(page, (t) => t === original, String(original));
  // Reload only once the reset reached localStorage (the old test reloaded a moment too early
  // now and then, and found the edits restored).
  await expect.poll(() => page.evaluate((k) => localStorage.getItem(k), KEY)).toBeNull();
  // …and once the address no longer carries the edited scenario (a link to the built-in with
  // the Editor open is a few dozen characters; the edited scenario is over a thousand).
  await expect(page, "the address no longer carries the edits").not.toHaveURL(/#v6\.[A-Za-z0-9_-]{200,}/);
  // …and names happy-path again: under load the address can still be the one written while
  // null-mx was open (it follows the state a quarter second after the last change).
  await expect(page, "the address names the built-in again").toHaveURL(/[?&]scenario=happy-path(&|#|$)/);

  await page.reload();
  await app(page, null);
  await expect(stepCounter(page), "after a reset, a reload shows the built-in").toHaveText(new RegExp(`/ ${original}$`));
  await expect(page.locator(".notice")).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("compose a message with an attachment: it is delivered and its DATA carries the base64 MIME part; hostile text stays text", async ({ open, problems }) => {
  const page = await editorPage(open, problems, "./?scenario=happy-path");
  await expect(stepCounter(page)).toHaveText(/^Step 1 \//);
  const original = await totalOf(page);
  await openEditor(page);
  // A bad recipient: a located error next to the field, announced, nothing sent.
  await page.locator("#editor-compose-to").fill("Bob <bob@example.org>, bob@");
  await page.locator("#editor-compose-send").click();
  const to = page.locator("#editor-compose-to");
  await expect(to).toHaveAttribute("aria-invalid", "true");
  await expect(to).toHaveAttribute("aria-describedby", "editor-compose-to-error");
  await expect(page.locator("#editor-compose-to-error")).toHaveText("⚠ Recipient 2: “bob@” has no domain.");
  await expect(page.locator(".editor-status")).toHaveText(/Not changed\. Recipient 2: “bob@” has no domain\./);
  expect(await totalOf(page)).toBe(original);

  await to.fill("Bob <bob@example.org>");
  await page.locator("#editor-compose-subject").fill(`${HOSTILE} minutes`);
  await page.locator("#editor-compose-body").fill("The minutes are attached.\n.\nBye");
  await page.locator("#editor-compose-attachments").setInputFiles([{ name: "minutes.txt", mimeType: "text/plain", buffer: Buffer.from("hello attachment") }]);
  await expect(page.locator(".compose-files")).toHaveText(/minutes\.txt — 16 bytes/);
  await page.locator("#editor-compose-send").click();
  const total = await waitForTotal(page, (t) => t > original, `more than ${original}`);
  await expect(stepCounter(page), "the page shows the end of the new message's journey").toHaveText(new RegExp(`^Step ${total} / ${total}`));
  await expect(page.locator(".editor-status")).toHaveText(/Message “<img src=x onerror=alert\(1\)> minutes” added/);
  await expect(to, "the error is gone").not.toHaveAttribute("aria-invalid");
  await expect(page.locator(".compose-messages li")).toHaveCount(2);
  await expect(page.locator(".compose-messages li").nth(1), "the subject shows as text").toContainText(HOSTILE);

  // Step back to the relay's DATA of the new message and read it in the inspector.
  await page.getByRole("tab", { name: "Inspector" }).click();
  await page.evaluate(() => document.activeElement.blur());
  const found = await stepBackUntil(page, /minutes\.txt[\s\S]*aGVsbG8gYXR0YWNobWVudA==|aGVsbG8gYXR0YWNobWVudA==[\s\S]*minutes\.txt/, 40, ".panel-inspector");
  expect(found, 'a DATA step carries the attachment as base64 ("hello attachment")').toBe(true);

  // A hostile mailbox name is refused, and its text is shown as text.
  await openEditor(page);
  await openNode(page, "mx");
  await page.locator("#editor-node-mx-mailbox-new").fill(`${HOSTILE}@example.org`);
  await page.locator("#editor-node-mx-mailbox-new").press("Enter");
  await expect(page.locator("#editor-node-mx-mailbox-new-error")).toContainText(HOSTILE);
  await expect(page.locator("#editor-node-mx-mailbox-new")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("img"), "no markup was injected").toHaveCount(0);
  // A good one is added, and shows in the list.
  await page.locator("#editor-node-mx-mailbox-new").fill("carol@example.org");
  await page.locator("#editor-node-mx-mailbox-new").press("Enter");
  await expect(page.locator(".editor-mailbox", { hasText: "carol@example.org" })).toBeVisible();
  await expect(page.locator("#editor-node-mx-mailbox-new")).not.toHaveAttribute("aria-invalid");
  expect(problems).toEqual([]);
});

test("DNS: a bad address is refused next to its field; pointing the MX elsewhere changes the trace", async ({ open, problems }) => {
  const page = await editorPage(open, problems, "./?scenario=happy-path");
  await expect(stepCounter(page)).toHaveText(/^Step 1 \//);
  const original = await totalOf(page);
  await openEditor(page);
  await page.locator("#editor-dns-new-type").selectOption("A");
  await page.locator("#editor-dns-new-name").fill("mx2.example.org");
  await page.locator("#editor-dns-new-value").fill("300.1.2.3");
  await page.getByRole("button", { name: "Add record" }).click();
  await expect(page.locator("#editor-dns-new-value-error")).toHaveText(/“300\.1\.2\.3” is not an IPv4 address/);
  expect(await totalOf(page)).toBe(original);
  // example.org's MX (the second MX row) now names a host with no address.
  await page.locator("#editor-dns-mx-1-value").fill("nowhere.example.org");
  await page.getByRole("button", { name: "Save MX record example.org" }).click();
  await waitForTotal(page, (t) => t !== original, "different");
  await expect(page.locator(".editor-status")).toHaveText(/DNS record changed to example\.org IN MX 10 nowhere\.example\.org\./);
  expect(problems).toEqual([]);
});

test("damaged saved edits are discarded with a notice; without storage the editor still works and says so", async ({ open, problems }) => {
  const damaged = await editorPage(open, problems, "./?scenario=happy-path", {}, {
    script: ([k]) => { if (!sessionStorage.getItem("seeded")) { localStorage.setItem(k, "v1.AQ-damaged"); sessionStorage.setItem("seeded", "1"); } },
    arg: [KEY],
  });
  await expect(damaged.locator(".notice")).toHaveText(/Saved edits to this scenario could not be read, so the built-in is shown and they were discarded/);
  expect(await damaged.evaluate((k) => localStorage.getItem(k), KEY)).toBeNull();

  const blocked = await editorPage(open, problems, "./?scenario=happy-path", {}, {
    script: () => Object.defineProperty(window, "localStorage", { get() { throw new DOMException("The operation is insecure.", "SecurityError"); } }),
    arg: null,
  });
  await expect(stepCounter(blocked)).toHaveText(/^Step 1 \//);
  const original = await totalOf(blocked);
  await openEditor(blocked);
  await expect(blocked.locator(".editor-keep")).toHaveText(/edits will not be kept/);
  await openNode(blocked, "mx");
  await blocked.locator("#editor-node-mx-down").check();
  await waitForTotal(blocked, (t) => t !== original, "different");
  await expect(blocked.locator(".editor-badge")).toHaveText(/Edited/);
  expect(problems).toEqual([]);
});

for (const colorScheme of ["light", "dark"]) {
  test(`axe-core: no serious or critical problem in the editor, with an error shown (${colorScheme})`, async ({ open, problems }) => {
    const page = await editorPage(open, problems, "./?scenario=happy-path", { colorScheme });
    await openEditor(page);
    for (const id of ["alice", "relay", "mx"]) await openNode(page, id);
    await page.locator("#editor-node-mx-greylist").fill("soon");
    await page.locator("#editor-node-mx-greylist").press("Enter");
    await expect(page.locator("#editor-node-mx-greylist-error")).toBeVisible();
    await page.locator("#editor-mx-full-0").selectOption("temporary");
    await expect(page.locator(".editor-badge")).toHaveText(/Edited/);
    expect(await axe(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
}

for (const [label, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 800 }]]) {
  for (const colorScheme of ["light", "dark"]) {
    test(`screenshots of the editor at ${viewport.width}×${viewport.height} (${label}), ${colorScheme}`, async ({ open, problems }) => {
      const page = await editorPage(open, problems, "./?scenario=happy-path", { viewport, colorScheme });
      await openEditor(page);
      await openNode(page, "mx");
      await page.locator("#editor-mx-full-0").selectOption("temporary");
      await page.locator("#editor-compose-to").fill("bob@");
      await page.locator("#editor-compose-send").click();
      await expect(page.locator("#editor-compose-to-error")).toBeVisible();
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
      expect(scrollWidth, `page is ${scrollWidth}px wide in a ${clientWidth}px viewport`).toBeLessThanOrEqual(clientWidth);
      await page.locator(".tools").screenshot({ path: join(screensDir, `editor-${viewport.width}x${viewport.height}-${colorScheme}-panel.png`) });
      await screenshot(page, `editor-${viewport.width}x${viewport.height}-${colorScheme}`);
      expect(problems).toEqual([]);
    });
  }
}

test("sender authentication: a bad DKIM selector is refused next to its field; without the relay's signature DMARC rejects the forwarded message", async ({ open, problems }) => {
  // A DKIM scenario opens in the full app at once (the viewer leaves the cryptography out).
  const page = await editorPage(open, problems, "./?scenario=dkim-forwarding");
  await expect(stepCounter(page)).toHaveText(/^Step 1 \//);
  const original = await totalOf(page);
  await openEditor(page);
  await openNode(page, "relay");
  const selector = page.locator("#editor-node-relay-dkim");
  await expect(selector).toHaveValue("mail2026");
  await expect(page.locator("#editor-node-relay-dkim-publish")).toBeChecked();
  await selector.fill("mail;2026");
  await selector.press("Enter");
  await expect(page.locator("#editor-node-relay-dkim-error")).toHaveText(/“mail;2026” is not a DNS name/);
  await expect(selector).toHaveAttribute("aria-invalid", "true");
  expect(await totalOf(page)).toBe(original);
  // Blank: the relay no longer signs; SPF already fails after forwarding, so nothing aligns.
  await selector.fill("");
  await selector.press("Enter");
  await expect(page.locator(".editor-status")).toHaveText(/no longer signs with DKIM/);
  await waitForTotal(page, (t) => t !== original, "different");
  // The button, not the End key: the focus is still in the selector field, which owns its keys.
  await page.getByRole("button", { name: "Last step" }).click();
  expect(await stepBackUntil(page, /dmarc=fail/, 60)).toBe(true);
  await page.getByRole("tab", { name: "Inspector" }).click();
  await expect(page.locator(".auth-results")).toContainText("DKIM none");
  await expect(page.locator(".auth-results")).toContainText(/DMARC fail for From: example\.com/);
  // Checking can be switched off at the MX: then nothing is checked.
  await page.getByRole("tab", { name: "Editor" }).click();
  await openNode(page, "mx");
  await page.locator("#editor-node-mx-dmarc").uncheck();
  await expect(page.locator(".editor-status")).toHaveText(/Checks DKIM and DMARC is now off/);
  expect(problems).toEqual([]);
});
