// Browser tests of the scenario editor: a fault changes the trace at once, the edit survives a
// reload (autosave in localStorage) with the badge and a notice, Reset to built-in (and its
// undo) restores the original, a composed message with an attachment is delivered (its DATA in
// the trace), hostile text stays text, errors sit next to their fields, damaged or unavailable
// storage is handled, axe-core finds nothing serious, and screenshots.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { baseUrl, counter, launch, screensDir, screenshot, settle, stopServer, waitForApp } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");
const KEY = "smtp-sim.edit.happy-path";
const HOSTILE = "<img src=x onerror=alert(1)>";

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

async function open(path, options = {}, init = null) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: "reduce", ...options });
  if (init) await context.addInitScript(init.script, init.arg);
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

async function openEditor(page) {
  await page.getByRole("tab", { name: "Editor" }).click();
  await page.locator(".editor").waitFor();
}

async function openNode(page, id) {
  const details = page.locator(`details[data-node="${id}"]`);
  if ((await details.getAttribute("open")) === null) await details.locator("summary").click();
}

async function waitForTotal(page, predicate, what) {
  for (let i = 0; i < 100; i++) {
    const [, total] = await counter(page);
    if (predicate(total)) return total;
    await page.waitForTimeout(50);
  }
  assert.fail(`the step count never became ${what} (it is ${(await counter(page))[1]})`);
}

test("a full mailbox changes the trace at once; the edit survives a reload; Reset (and Undo) restore the original", async () => {
  const { context, page, problems } = await open("?scenario=happy-path");
  const [, original] = await counter(page);
  await openEditor(page);
  assert.equal(await page.locator(".editor-badge").textContent(), "Built-in, unchanged");
  await openNode(page, "mx");
  await page.locator("#editor-mx-full-0").selectOption("permanent");
  const edited = await waitForTotal(page, (t) => t !== original, `different from ${original}`);
  assert.match(await page.locator(".editor-status").textContent(), /example\.org MX: bob@example\.org is full for good \(552 5\.2\.2\)\. The trace has \d+ steps\./);
  assert.match(await page.locator(".editor-badge").textContent(), /Edited — differs from the built-in/);
  // The trace now holds the 552 and the relay's bounce.
  await page.locator("body").press("End");
  await settle(page);
  assert.match(await page.locator("#live").textContent(), new RegExp(`^Step ${edited} of ${edited}`));
  let saw552 = false;
  for (let i = 0; i < 40 && !saw552; i++) {
    await page.locator("body").press("ArrowLeft");
    await settle(page);
    saw552 = (await page.locator("#live").textContent()).includes("552");
  }
  assert.ok(saw552, "a step of the new trace is the MX's 552");
  assert.ok(await page.evaluate((k) => localStorage.getItem(k), KEY), "saved in localStorage");

  await page.reload();
  await waitForApp(page);
  await page.locator("#live").waitFor();
  assert.equal((await counter(page))[1], edited, "the edit is kept after a reload");
  assert.match(await page.locator(".notice").textContent(), /Your edits to this scenario were restored — Reset to built-in to discard them/);
  await openEditor(page);
  assert.match(await page.locator(".editor-badge").textContent(), /Edited/);
  await openNode(page, "mx");
  assert.equal(await page.locator("#editor-mx-full-0").inputValue(), "permanent");
  assert.match(await page.locator('details[data-node="mx"] summary').textContent(), /1 full mailbox/);

  // Opening another scenario from the picker and coming back restores the edits too.
  await page.locator('button[data-scenario="null-mx"]').click();
  await waitForTotal(page, (t) => t !== edited, "another scenario's");
  assert.equal(await page.locator(".editor-badge").textContent(), "Built-in, unchanged");
  await page.locator('button[data-scenario="happy-path"]').click();
  await waitForTotal(page, (t) => t === edited, String(edited));
  assert.match(await page.locator(".notice").textContent(), /Your edits to this scenario were restored/);
  assert.match(await page.locator(".editor-badge").textContent(), /Edited/);

  await page.getByRole("button", { name: "Reset to built-in" }).click();
  await waitForTotal(page, (t) => t === original, String(original));
  assert.equal(await page.locator(".editor-badge").textContent(), "Built-in, unchanged");
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), KEY), null, "the saved edits are removed");
  // Undo brings the edits back (and saves them again); reset once more.
  await page.getByRole("button", { name: "Undo reset" }).click();
  await waitForTotal(page, (t) => t === edited, String(edited));
  assert.ok(await page.evaluate((k) => localStorage.getItem(k), KEY));
  await page.getByRole("button", { name: "Reset to built-in" }).click();
  await waitForTotal(page, (t) => t === original, String(original));
  // The address follows the state 250 ms after the last change (ui/app.rs): a reload before
  // that would reopen the edited link still in it.
  await page.waitForFunction(() => location.hash.length < 100, null, { timeout: 5000 });

  await page.reload();
  await waitForApp(page);
  await page.locator("#live").waitFor();
  assert.equal((await counter(page))[1], original, "after a reset, a reload shows the built-in");
  assert.equal(await page.locator(".notice").count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("compose a message with an attachment: it is delivered and its DATA carries the base64 MIME part; hostile text stays text", async () => {
  const { context, page, problems } = await open("?scenario=happy-path");
  const [, original] = await counter(page);
  await openEditor(page);
  // A bad recipient: a located error next to the field, announced, nothing sent.
  await page.locator("#editor-compose-to").fill("Bob <bob@example.org>, bob@");
  await page.locator("#editor-compose-send").click();
  await settle(page);
  const to = page.locator("#editor-compose-to");
  assert.equal(await to.getAttribute("aria-invalid"), "true");
  assert.equal(await to.getAttribute("aria-describedby"), "editor-compose-to-error");
  assert.equal(await page.locator("#editor-compose-to-error").textContent(), "⚠ Recipient 2: “bob@” has no domain.");
  assert.match(await page.locator(".editor-status").textContent(), /Not changed\. Recipient 2: “bob@” has no domain\./);
  assert.equal((await counter(page))[1], original);

  await to.fill("Bob <bob@example.org>");
  await page.locator("#editor-compose-subject").fill(`${HOSTILE} minutes`);
  await page.locator("#editor-compose-body").fill("The minutes are attached.\n.\nBye");
  await page.locator("#editor-compose-attachments").setInputFiles([{ name: "minutes.txt", mimeType: "text/plain", buffer: Buffer.from("hello attachment") }]);
  await page.locator(".compose-files li").waitFor();
  assert.match(await page.locator(".compose-files").textContent(), /minutes\.txt — 16 bytes/);
  await page.locator("#editor-compose-send").click();
  const total = await waitForTotal(page, (t) => t > original, `more than ${original}`);
  assert.deepEqual(await counter(page), [total, total], "the page shows the end of the new message's journey");
  assert.match(await page.locator(".editor-status").textContent(), /Message “<img src=x onerror=alert\(1\)> minutes” added/);
  assert.equal(await to.getAttribute("aria-invalid"), null, "the error is gone");
  assert.equal(await page.locator(".compose-messages li").count(), 2);
  assert.ok((await page.locator(".compose-messages li").nth(1).textContent()).includes(HOSTILE), "the subject shows as text");

  // Step back to the relay's DATA of the new message and read it in the inspector.
  await page.getByRole("tab", { name: "Inspector" }).click();
  await page.evaluate(() => document.activeElement.blur());
  let found = false;
  for (let i = 0; i < 40 && !found; i++) {
    await page.locator("body").press("ArrowLeft");
    await settle(page);
    const raw = (await page.locator(".panel-inspector").textContent()) ?? "";
    found = raw.includes("minutes.txt") && raw.includes("aGVsbG8gYXR0YWNobWVudA==");
  }
  assert.ok(found, "a DATA step carries the attachment as base64 (\"hello attachment\")");

  // A hostile mailbox name is refused, and its text is shown as text.
  await openEditor(page);
  await openNode(page, "mx");
  await page.locator("#editor-node-mx-mailbox-new").fill(`${HOSTILE}@example.org`);
  await page.locator("#editor-node-mx-mailbox-new").press("Enter");
  await page.locator("#editor-node-mx-mailbox-new-error").waitFor();
  assert.ok((await page.locator("#editor-node-mx-mailbox-new-error").textContent()).includes(HOSTILE));
  assert.equal(await page.locator("#editor-node-mx-mailbox-new").getAttribute("aria-invalid"), "true");
  assert.equal(await page.locator("img").count(), 0, "no markup was injected");
  // A good one is added, and shows in the list.
  await page.locator("#editor-node-mx-mailbox-new").fill("carol@example.org");
  await page.locator("#editor-node-mx-mailbox-new").press("Enter");
  await page.locator(".editor-mailbox", { hasText: "carol@example.org" }).waitFor();
  assert.equal(await page.locator("#editor-node-mx-mailbox-new").getAttribute("aria-invalid"), null);
  assert.deepEqual(problems, []);
  await context.close();
});

test("DNS: a bad address is refused next to its field; pointing the MX elsewhere changes the trace", async () => {
  const { context, page, problems } = await open("?scenario=happy-path");
  const [, original] = await counter(page);
  await openEditor(page);
  await page.locator("#editor-dns-new-type").selectOption("A");
  await page.locator("#editor-dns-new-name").fill("mx2.example.org");
  await page.locator("#editor-dns-new-value").fill("300.1.2.3");
  await page.getByRole("button", { name: "Add record" }).click();
  await page.locator("#editor-dns-new-value-error").waitFor();
  assert.match(await page.locator("#editor-dns-new-value-error").textContent(), /“300\.1\.2\.3” is not an IPv4 address/);
  assert.equal((await counter(page))[1], original);
  // example.org's MX (the second MX row) now names a host with no address.
  await page.locator("#editor-dns-mx-1-value").fill("nowhere.example.org");
  await page.getByRole("button", { name: "Save MX record example.org" }).click();
  await waitForTotal(page, (t) => t !== original, "different");
  assert.match(await page.locator(".editor-status").textContent(), /DNS record changed to example\.org IN MX 10 nowhere\.example\.org\./);
  assert.deepEqual(problems, []);
  await context.close();
});

test("damaged saved edits are discarded with a notice; without storage the editor still works and says so", async () => {
  const damaged = await open("?scenario=happy-path", {}, { script: ([k]) => { if (!sessionStorage.getItem("seeded")) { localStorage.setItem(k, "v1.AQ-damaged"); sessionStorage.setItem("seeded", "1"); } }, arg: [KEY] });
  assert.match(await damaged.page.locator(".notice").textContent(), /Saved edits to this scenario could not be read, so the built-in is shown and they were discarded/);
  assert.equal(await damaged.page.evaluate((k) => localStorage.getItem(k), KEY), null);
  assert.deepEqual(damaged.problems, []);
  await damaged.context.close();

  const blocked = await open("?scenario=happy-path", {}, {
    script: () => Object.defineProperty(window, "localStorage", { get() { throw new DOMException("The operation is insecure.", "SecurityError"); } }),
    arg: null,
  });
  const [, original] = await counter(blocked.page);
  await openEditor(blocked.page);
  assert.match(await blocked.page.locator(".editor-keep").textContent(), /edits will not be kept/);
  await openNode(blocked.page, "mx");
  await blocked.page.locator("#editor-node-mx-down").check();
  await waitForTotal(blocked.page, (t) => t !== original, "different");
  assert.match(await blocked.page.locator(".editor-badge").textContent(), /Edited/);
  assert.deepEqual(blocked.problems, []);
  await blocked.context.close();
});

for (const colorScheme of ["light", "dark"]) {
  test(`axe-core: no serious or critical problem in the editor, with an error shown (${colorScheme})`, async () => {
    const { context, page, problems } = await open("?scenario=happy-path", { colorScheme });
    await openEditor(page);
    for (const id of ["alice", "relay", "mx"]) await openNode(page, id);
    await page.locator("#editor-node-mx-greylist").fill("soon");
    await page.locator("#editor-node-mx-greylist").press("Enter");
    await page.locator("#editor-node-mx-greylist-error").waitFor();
    await page.locator("#editor-mx-full-0").selectOption("temporary");
    await settle(page);
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    const bad = result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    assert.deepEqual(bad, []);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

for (const [label, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 800 }]]) {
  test(`screenshots of the editor at ${viewport.width}×${viewport.height} (${label}), light and dark`, async () => {
    for (const colorScheme of ["light", "dark"]) {
      const { context, page, problems } = await open("?scenario=happy-path", { viewport, colorScheme });
      await openEditor(page);
      await openNode(page, "mx");
      await page.locator("#editor-mx-full-0").selectOption("temporary");
      await page.locator("#editor-compose-to").fill("bob@");
      await page.locator("#editor-compose-send").click();
      await page.locator("#editor-compose-to-error").waitFor();
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
      assert.ok(scrollWidth <= clientWidth, `${colorScheme}: page is ${scrollWidth}px wide in a ${clientWidth}px viewport`);
      await page.locator(".tools").screenshot({ path: join(screensDir, `editor-${viewport.width}x${viewport.height}-${colorScheme}-panel.png`) });
      await screenshot(page, `editor-${viewport.width}x${viewport.height}-${colorScheme}`);
      assert.deepEqual(problems, []);
      await context.close();
    }
  });
}
