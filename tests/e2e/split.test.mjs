// Browser tests of the two builds (docs/perf.md, "First view"): the main page and the embed load
// only the viewer; the first use of a tool loads the full app, which opens the exact state the
// viewer had (scenario or edits, step, selection, tool) and gets the focus where it was asked for.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { baseUrl, counter, launch, screenshot, stopServer } from "./harness.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const VIEWER = ["dist/viewer.js", "dist/viewer_bg.wasm"];
const STUDIO = ["dist/smtp-sim.js", "dist/smtp-sim_bg.wasm"];
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

async function open(path) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url + path);
  await page.locator("html[data-smtp-sim='viewer'] main").first().waitFor({ timeout: 15000 });
  const loaded = (files) => files.filter((f) => requests.includes(url + f));
  const foreign = () => requests.filter((r) => new URL(r).origin !== new URL(url).origin);
  return { context, page, problems, loaded, foreign };
}

/** Waits until the full app has replaced the viewer. */
async function studio(page) {
  await page.locator("html[data-smtp-sim='studio']").waitFor({ state: "attached", timeout: 20000 });
}

test("the main page loads only the viewer; a tool loads the full app on the same step, selection and tool, focus on its tab", async () => {
  const { context, page, problems, loaded, foreign } = await open("?scenario=unknown-user-bounce&step=20");
  await page.waitForLoadState("networkidle");
  assert.deepEqual(loaded(VIEWER), VIEWER);
  assert.deepEqual(loaded(STUDIO), [], "the full app is not loaded for the first view");
  // Select step 4 in the diagram, then ask for the console.
  await page.locator(".sd-row[data-seq='3']").focus();
  await page.keyboard.press("Enter");
  assert.match(await page.locator(".insp-which").textContent(), /Selected step 4 of/);
  await page.getByRole("tab", { name: "Console" }).click();
  await studio(page);
  assert.deepEqual(loaded(STUDIO), STUDIO);
  await page.locator("#tool-tab-console[aria-selected='true']").waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "tool-tab-console");
  assert.equal((await counter(page))[0], 20);
  // The inspector of the full app shows the same selection.
  await page.getByRole("tab", { name: "Inspector" }).click();
  assert.match(await page.locator(".insp-which").textContent(), /Selected step 4 of/);
  // One app: a key press moves one step, not two.
  await page.locator("#main").focus();
  await page.keyboard.press("ArrowRight");
  await page.locator(".counter-step", { hasText: "Step 21 /" }).waitFor();
  assert.deepEqual(foreign(), []);
  assert.deepEqual(problems, []);
  await screenshot(page, "split-studio-console");
  await context.close();
});

test("the embed loads only the viewer until a tool is used, then the full app in the frame with the same state", async () => {
  const { context, page, problems, loaded, foreign } = await open("?embed=1&scenario=greylisting-retry&step=6&panels=inspector,mailboxes");
  await page.waitForLoadState("networkidle");
  assert.deepEqual(loaded(STUDIO), []);
  await page.getByRole("button", { name: /next step/i }).first().click();
  await page.locator(".counter-step", { hasText: "Step 7 /" }).waitFor();
  // The "Open in smtp-sim" link is there (it opens the main page, which starts with the viewer).
  assert.match(await page.getByRole("link", { name: /Open in smtp-sim/ }).getAttribute("href"), /#v5\./);
  await page.waitForLoadState("networkidle");
  assert.deepEqual(loaded(STUDIO), [], "stepping in the embed does not load the full app");
  await page.getByRole("tab", { name: "Mailboxes" }).click();
  await studio(page);
  await page.locator("#tool-tab-mailboxes[aria-selected='true']").waitFor();
  assert.equal((await counter(page))[0], 7);
  assert.equal(await page.locator(".embed-main").count(), 1, "still the embed");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "tool-tab-mailboxes");
  assert.deepEqual(foreign(), []);
  assert.deepEqual(problems, []);
  await context.close();
});

/** A share link made by the CLI (`smtp-sim share`) for happy-path with another recipient. */
function editedLink(step) {
  const toml = readFileSync(join(repo, "src/sim/scenarios/happy-path.toml"), "utf8")
    .replace(/^title = .*$/m, 'title = "Edited: Bob has moved away"')
    .replace('mailboxes = ["bob@example.org"]', 'mailboxes = ["carol@example.org"]');
  assert.ok(toml.includes("Edited: Bob") && toml.includes("carol@example.org"), "the edit applies");
  const file = join(mkdtempSync(join(tmpdir(), "smtp-sim-split-")), "edited.toml");
  writeFileSync(file, toml);
  const out = execFileSync("cargo", ["run", "-q", "--bin", "smtp-sim", "--", "share", file, "--step", String(step)], { cwd: repo, encoding: "utf8", timeout: 600_000 });
  return out.trim();
}

/** Opens `path` on a page that the viewer hands to the full app at once. */
async function handedOver(path) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url + path);
  await studio(page);
  const loaded = (files) => files.filter((f) => requests.includes(url + f));
  return { context, page, problems, loaded };
}

test("an edited scenario from a link opens in the full app at once, with its edits and step; Share & export works there", async () => {
  // The viewer has no reader of edited scenarios (share::ShareError::NeedsStudio): it hands the
  // page over with the address unchanged.
  const link = editedLink(12);
  const { context, page, problems, loaded } = await handedOver(`#${link}`);
  assert.deepEqual(loaded(VIEWER), VIEWER, "the viewer came first");
  await page.getByRole("region", { name: /Edited: Bob has moved away/ }).waitFor();
  assert.equal((await counter(page))[0], 12);
  assert.equal(new URL(page.url()).hash, `#${link}`, "the address is the one that was opened");
  await page.getByRole("button", { name: "Transcript (.txt)" }).click();
  await page.locator(".share-status", { hasText: /Downloading .*\.txt/ }).waitFor();
  await page.getByRole("tab", { name: "Editor" }).click();
  await page.locator(".editor").getByText("carol@example.org").first().waitFor({ state: "attached" });
  assert.deepEqual(problems, []);
  await context.close();
});

test("a DKIM scenario named in the address opens in the full app at its step, where the inspector says why forwarding passes DMARC through DKIM after SPF failed", async () => {
  // The viewer leaves DKIM's cryptography out (sim/dkim/crypto.rs) and hands such a scenario over.
  const { context, page, problems, loaded } = await handedOver("?scenario=dkim-forwarding&step=83");
  assert.deepEqual(loaded(STUDIO), STUDIO);
  assert.equal((await counter(page))[0], 83);
  const results = page.locator(".auth-results");
  await results.waitFor();
  const text = await results.textContent();
  assert.match(text, /SPF fail for the MAIL FROM domain example\.com/);
  assert.match(text, /DKIM pass for d=example\.com s=mail2026/);
  assert.match(text, /DMARC pass for From: example\.com/);
  // The canonicalized data that was hashed is there to read.
  assert.ok((await page.locator(".auth details, .auth pre").count()) > 0, "hashed headers and body shown");
  assert.deepEqual(problems, []);
  await screenshot(page, "split-dkim-forwarding");
  await context.close();
});

test("choosing a DKIM scenario in the viewer's picker loads the full app on that scenario", async () => {
  const { context, page, problems, loaded } = await open("?scenario=happy-path");
  assert.deepEqual(loaded(STUDIO), []);
  await page.locator(".scenario-list button[data-scenario='dkim-signed']").click();
  await studio(page);
  await page.locator(".scenario-list button[data-scenario='dkim-signed'][aria-current='true']").waitFor();
  assert.equal((await counter(page))[0], 1);
  assert.ok((await counter(page))[1] > 20, "the scenario ran in the full app");
  assert.deepEqual(problems, []);
  await context.close();
});
