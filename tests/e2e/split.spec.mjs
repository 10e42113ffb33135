// Browser tests of the two builds (docs/perf.md, "First view"): the main page and the embed load
// only the viewer; the first use of a tool loads the full app, which opens the exact state the
// viewer had (scenario or edits, step, selection, tool) and gets the focus where it was asked for.
// A DKIM scenario and an edited scenario from a link (made with `smtp-sim share`) are handed to
// the full app at once; choosing a DKIM scenario in the viewer's picker does the same.
// (Converted from split.test.mjs: the same checks, with web-first assertions.)
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { test, expect, screenshot, stepCounter, studio } from "./fixtures.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const VIEWER = ["dist/viewer.js", "dist/viewer_bg.wasm"];
const STUDIO = ["dist/smtp-sim.js", "dist/smtp-sim_bg.wasm"];
const OPTIONS = { viewport: { width: 1280, height: 800 } };

/** A page in its own context that records the files it asks for; `loaded(files)` says which of
 * `files` it has asked for so far, `foreign()` the requests to another origin. */
async function watched(open, baseURL) {
  const page = await open(null, OPTIONS);
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const loaded = (files) => files.filter((f) => requests.includes(baseURL + f));
  const foreign = () => requests.filter((r) => new URL(r).origin !== new URL(baseURL).origin);
  return { page, loaded, foreign };
}

/** `path` in the viewer, once the viewer has drawn its page. */
async function viewer(open, baseURL, path) {
  const w = await watched(open, baseURL);
  await w.page.goto(path);
  await expect(w.page.locator("html[data-smtp-sim='viewer'] main").first()).toBeVisible();
  return w;
}

/** Opens `path` on a page that the viewer hands to the full app at once. */
async function handedOver(open, baseURL, path) {
  const w = await watched(open, baseURL);
  await w.page.goto(path);
  await studio(w.page);
  return w;
}

const numbers = async (page) => (/Step (\d+) \/ (\d+)/.exec(await stepCounter(page).textContent()) ?? []).slice(1).map(Number);

test("the main page loads only the viewer; a tool loads the full app on the same step, selection and tool, focus on its tab", async ({ open, problems, baseURL }) => {
  const { page, loaded, foreign } = await viewer(open, baseURL, "./?scenario=unknown-user-bounce&step=20");
  // What is not loaded can only be checked once the page has stopped loading things.
  await page.waitForLoadState("networkidle");
  expect(loaded(VIEWER)).toEqual(VIEWER);
  expect(loaded(STUDIO), "the full app is not loaded for the first view").toEqual([]);
  // Select step 4 in the diagram, then ask for the console.
  await page.locator(".sd-row[data-seq='3']").focus();
  await page.keyboard.press("Enter");
  await expect(page.locator(".insp-which")).toHaveText(/Selected step 4 of/);
  await page.getByRole("tab", { name: "Console" }).click();
  await studio(page);
  await expect.poll(() => loaded(STUDIO)).toEqual(STUDIO);
  await expect(page.locator("#tool-tab-console")).toHaveAttribute("aria-selected", "true");
  await expect(page.locator("#tool-tab-console")).toBeFocused();
  await expect(stepCounter(page)).toHaveText(/^Step 20 \//);
  // The inspector of the full app shows the same selection.
  await page.getByRole("tab", { name: "Inspector" }).click();
  await expect(page.locator(".insp-which")).toHaveText(/Selected step 4 of/);
  // One app: a key press moves one step, not two.
  await page.locator("#main").focus();
  await page.keyboard.press("ArrowRight");
  await expect(stepCounter(page)).toHaveText(/^Step 21 \//);
  expect(foreign()).toEqual([]);
  expect(problems).toEqual([]);
  await screenshot(page, "split-studio-console");
});

test("the embed loads only the viewer until a tool is used, then the full app in the frame with the same state", async ({ open, problems, baseURL }) => {
  const { page, loaded, foreign } = await viewer(open, baseURL, "./?embed=1&scenario=greylisting-retry&step=6&panels=inspector,mailboxes");
  await page.waitForLoadState("networkidle");
  expect(loaded(STUDIO)).toEqual([]);
  await page.getByRole("button", { name: /next step/i }).first().click();
  await expect(stepCounter(page)).toHaveText(/^Step 7 \//);
  // The "Open in smtp-sim" link is there (it opens the main page, which starts with the viewer).
  await expect(page.getByRole("link", { name: /Open in smtp-sim/ })).toHaveAttribute("href", /#v6\./);
  await page.waitForLoadState("networkidle");
  expect(loaded(STUDIO), "stepping in the embed does not load the full app").toEqual([]);
  await page.getByRole("tab", { name: "Mailboxes" }).click();
  await studio(page);
  await expect(page.locator("#tool-tab-mailboxes")).toHaveAttribute("aria-selected", "true");
  await expect(stepCounter(page)).toHaveText(/^Step 7 \//);
  await expect(page.locator(".embed-main"), "still the embed").toHaveCount(1);
  await expect(page.locator("#tool-tab-mailboxes")).toBeFocused();
  expect(foreign()).toEqual([]);
  expect(problems).toEqual([]);
});

/** A share link made by the CLI (`smtp-sim share`) for happy-path with another recipient. */
async function editedLink(step) {
  const toml = readFileSync(join(repo, "src/sim/scenarios/happy-path.toml"), "utf8")
    .replace(/^title = .*$/m, 'title = "Edited: Bob has moved away"')
    .replace('mailboxes = ["bob@example.org"]', 'mailboxes = ["carol@example.org"]');
  expect(toml.includes("Edited: Bob") && toml.includes("carol@example.org"), "the edit applies").toBe(true);
  const file = join(mkdtempSync(join(tmpdir(), "smtp-sim-split-")), "edited.toml");
  writeFileSync(file, toml);
  // Asynchronous, so that the test runner stays responsive while cargo builds the CLI.
  const { stdout } = await promisify(execFile)("cargo", ["run", "-q", "--bin", "smtp-sim", "--", "share", file, "--step", String(step)], { cwd: repo, encoding: "utf8", timeout: 600_000 });
  return stdout.trim();
}

test("an edited scenario from a link opens in the full app at once, with its edits and step; Share & export works there", async ({ open, problems, baseURL }) => {
  // `cargo run` builds the CLI the first time (minutes on a cold target/): up to 10 minutes for
  // that, and the test's usual 90 s for the page.
  test.setTimeout(690_000);
  // The viewer has no reader of edited scenarios (share::ShareError::NeedsStudio): it hands the
  // page over with the address unchanged.
  const link = await editedLink(12);
  const { page, loaded } = await handedOver(open, baseURL, `./#${link}`);
  await expect.poll(() => loaded(VIEWER), "the viewer came first").toEqual(VIEWER);
  await expect(page.getByRole("region", { name: /Edited: Bob has moved away/ })).toBeVisible();
  await expect(stepCounter(page)).toHaveText(/^Step 12 \//);
  await expect(page, "the address is the one that was opened").toHaveURL((u) => u.hash === `#${link}`);
  await page.getByRole("button", { name: "Transcript (.txt)" }).click();
  await expect(page.locator(".share-status", { hasText: /Downloading .*\.txt/ })).toBeVisible();
  await page.getByRole("tab", { name: "Editor" }).click();
  await expect(page.locator(".editor").getByText("carol@example.org").first()).toBeAttached();
  expect(problems).toEqual([]);
});

test("a DKIM scenario named in the address opens in the full app at its step, where the inspector says why forwarding passes DMARC through DKIM after SPF failed", async ({ open, problems, baseURL }) => {
  // The viewer leaves DKIM's cryptography out (sim/dkim/crypto.rs) and hands such a scenario over.
  const { page, loaded } = await handedOver(open, baseURL, "./?scenario=dkim-forwarding&step=83");
  await expect.poll(() => loaded(STUDIO)).toEqual(STUDIO);
  await expect(stepCounter(page)).toHaveText(/^Step 83 \//);
  const results = page.locator(".auth-results");
  await expect(results).toBeVisible();
  await expect(results).toHaveText(/SPF fail for the MAIL FROM domain example\.com/);
  await expect(results).toHaveText(/DKIM pass for d=example\.com s=mail2026/);
  await expect(results).toHaveText(/DMARC pass for From: example\.com/);
  // The canonicalized data that was hashed is there to read.
  await expect(page.locator(".auth details, .auth pre").first(), "hashed headers and body shown").toBeAttached();
  expect(problems).toEqual([]);
  await screenshot(page, "split-dkim-forwarding");
});

test("choosing a DKIM scenario in the viewer's picker loads the full app on that scenario", async ({ open, problems, baseURL }) => {
  const { page, loaded } = await viewer(open, baseURL, "./?scenario=happy-path");
  expect(loaded(STUDIO)).toEqual([]);
  await page.locator(".scenario-list button[data-scenario='dkim-signed']").click();
  await studio(page);
  await expect(page.locator(".scenario-list button[data-scenario='dkim-signed']")).toHaveAttribute("aria-current", "true");
  await expect(stepCounter(page)).toHaveText(/^Step 1 \/ \d+/);
  const [, total] = await numbers(page);
  expect(total, "the scenario ran in the full app").toBeGreaterThan(20);
  expect(problems).toEqual([]);
});
