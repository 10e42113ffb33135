// Browser tests of share links, the embed player and the downloads: a page on a second local
// port (another origin) embeds the player and the host script sizes the iframe; "Open in
// smtp-sim" carries the exact state (edits included); a truncated link shows its reason and the
// default scenario; Copy link reopens the same state; the download buttons give the CLI's
// files; axe-core on the embed and the docs page; no console errors, no other origins.
// The edited links are made with `smtp-sim share` (built once in beforeAll).
// (Converted from share.test.mjs: the same checks, with web-first assertions.)
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect, app, axe, screenshot, stepCounter } from "./fixtures.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const OPTIONS = { viewport: { width: 1280, height: 800 }, reducedMotion: "reduce", acceptDownloads: true };

let host; // the second server: the "other site" that embeds the player
let hostUrl;
const hostPages = new Map();

test.beforeAll(async () => {
  // The share links are made by the CLI: build it first, outside any test's time limit.
  test.setTimeout(600_000);
  execFileSync("cargo", ["build", "-q", "--bin", "smtp-sim"], { cwd: repo, stdio: "inherit", timeout: 600_000 });
  host = createServer((req, res) => {
    const body = hostPages.get(new URL(req.url, "http://x").pathname);
    res.writeHead(body ? 200 : 404, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(body ?? "not found");
  });
  await new Promise((done) => host.listen(0, "127.0.0.1", done));
  hostUrl = `http://127.0.0.1:${host.address().port}/`;
});

test.afterAll(async () => {
  await new Promise((done) => (host ? host.close(done) : done()));
});

/** A page in a fresh context that records every request of its context. */
async function fresh(open, path, options = {}) {
  const page = await open(null, { ...OPTIONS, ...options });
  const requests = [];
  page.context().on("request", (r) => requests.push(r.url()));
  if (path !== null) await page.goto(path);
  return { page, requests };
}

/** The app at `path`, once its shell and live region are there. */
async function openApp(open, path, options) {
  const f = await fresh(open, path, options);
  await app(f.page, null);
  await expect(f.page.locator("#live")).toBeAttached();
  return f;
}

function onlyOwnOrigin(requests, baseURL, ...allowed) {
  const origins = new Set([new URL(baseURL).origin, ...allowed]);
  const foreign = requests.filter((r) => !r.startsWith("blob:") && !r.startsWith("data:") && !origins.has(new URL(r).origin));
  expect(foreign, "no request leaves the page's own origin").toEqual([]);
}

const stepOf = async (where) => Number(/Step (\d+)/.exec(await stepCounter(where).textContent())[1]);
const totalOf = async (where) => Number(/\/ (\d+)/.exec(await stepCounter(where).textContent())[1]);

/** A share link made by the CLI (`smtp-sim share`) for happy-path with another fault. */
function editedLink(step) {
  const toml = readFileSync(join(repo, "src/sim/scenarios/happy-path.toml"), "utf8")
    .replace(/^title = .*$/m, 'title = "Edited: Bob has moved away"')
    .replace('mailboxes = ["bob@example.org"]', 'mailboxes = ["carol@example.org"]');
  expect(toml.includes("Edited: Bob") && toml.includes("carol@example.org"), "the edit applies").toBe(true);
  const file = join(mkdtempSync(join(tmpdir(), "smtp-sim-share-")), "edited.toml");
  writeFileSync(file, toml);
  const out = execFileSync(join(repo, "target", "debug", "smtp-sim"), ["share", file, "--step", String(step)], { encoding: "utf8", timeout: 30_000 });
  return out.trim();
}

test("a page served from a second local port embeds the player in an iframe, steps it, and the iframe resizes", async ({ open, problems, baseURL }) => {
  // The snippet comes from the page's own "Copy embed code", pasted into a plain HTML file.
  const made = await openApp(open, "./?scenario=unknown-user-bounce");
  await made.page.getByRole("button", { name: "Copy embed code" }).click();
  const snippet = await made.page.locator("#share-copy-text").inputValue();
  expect(snippet).toMatch(/^<iframe src="[^"]+\?embed=1#v6\.[^"]+" title="smtp-sim: Unknown user[^"]*" loading="lazy"/);
  expect(snippet).toMatch(/<script src="[^"]+\/www\/embed\.js" async><\/script>$/);
  hostPages.set("/host.html", `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Another site</title><link rel="icon" href="data:,"></head>
<body style="margin:0"><main><h1>Another site</h1>
${snippet}
</main></body></html>`);
  const { page, requests } = await fresh(open, hostUrl + "host.html");
  expect(new URL(hostUrl).origin, "the host page is on another origin").not.toBe(new URL(baseURL).origin);
  const iframe = page.locator("iframe");
  const frame = iframe.contentFrame();
  await expect(stepCounter(frame)).toBeVisible();
  const inner = page.frames().find((f) => f.url().startsWith(baseURL));
  expect(inner, "the iframe shows the app").toBeTruthy();

  // The host script sets the iframe's height to the embed's content height.
  const fitted = async () => {
    await expect(iframe).toHaveAttribute("data-smtp-sim-height", /\d/);
    const content = await inner.evaluate(() => Math.ceil(document.querySelector(".embed").getBoundingClientRect().height));
    await expect.poll(async () => Math.abs((await iframe.boundingBox()).height - content), `iframe fits its ${content}px content`).toBeLessThanOrEqual(1);
    return (await iframe.boundingBox()).height;
  };
  const first = await fitted();
  expect(first, "no longer the snippet's height attribute").not.toBe(520);

  // Step it from the host page.
  await frame.getByRole("button", { name: "Next step" }).click();
  await frame.getByRole("button", { name: "Next step" }).click();
  await expect(stepCounter(frame)).toHaveText(/^Step 3 \//);

  // A narrow column reflows the player: the iframe follows its new height.
  await page.evaluate(() => { document.querySelector("iframe").style.width = "360px"; });
  await expect.poll(async () => Number(await iframe.getAttribute("data-smtp-sim-height"))).toBeGreaterThan(first + 40);
  const narrow = await fitted();
  expect(narrow).toBeGreaterThan(first);
  await screenshot(page, "share-embed-cross-origin");
  expect(problems).toEqual([]);
  onlyOwnOrigin(requests, baseURL, new URL(hostUrl).origin);
});

test("'Open in smtp-sim' lands on the same step with the same edits", async ({ open, problems, baseURL }) => {
  const link = editedLink(30);
  expect(link).toMatch(/^v6\.[A-Za-z0-9_-]+$/);
  const { page, requests } = await openApp(open, `./index.html?embed=1&theme=dark#${link}`);
  await expect(page.locator(".story-title")).toHaveText("Edited: Bob has moved away");
  await expect(stepCounter(page)).toHaveText(/^Step 30 \//);
  const total = await totalOf(page);
  const live = await page.locator("#live").textContent();
  const [full] = await Promise.all([page.context().waitForEvent("page"), page.getByRole("link", { name: /Open in smtp-sim/ }).click()]);
  await app(full, null);
  await expect(full.locator(".story-title")).toHaveText("Edited: Bob has moved away");
  await expect(stepCounter(full)).toHaveText(new RegExp(`^Step 30 / ${total}`));
  await expect(full.locator("#live")).toHaveText(live);
  await expect(full.locator(".notice"), "no notice: the link was whole").toHaveCount(0);
  await expect(full.locator(".embed"), "the full app, not the embed").toHaveCount(0);
  // The edit changed the run: the built-in happy path has another number of steps.
  const builtin = await openApp(open, "./?scenario=happy-path");
  await expect(stepCounter(builtin.page)).toHaveText(/^Step 1 \//);
  expect(await totalOf(builtin.page)).not.toBe(total);
  expect(problems).toEqual([]);
  onlyOwnOrigin(requests, baseURL);
});

test("a truncated link shows the message and the default scenario; a bad link pasted later keeps the page", async ({ open, problems }) => {
  const whole = editedLink(12);
  const { page } = await openApp(open, `./#${whole.slice(0, Math.floor(whole.length / 2))}`);
  await expect(page.locator(".notice")).toHaveText(/This shared link could not be opened: the link is incomplete/);
  await expect(page.locator(".notice")).toHaveText(/default scenario/);
  await expect(page.locator(".story-title")).toHaveText(/^Happy path/);
  await expect(stepCounter(page)).toHaveText(/^Step 1 \//);

  // Now a whole link arrives through the address bar (hashchange), then a damaged one.
  await page.evaluate((l) => { location.hash = l; }, whole);
  await expect(page.locator(".story-title")).toHaveText(/^Edited:/);
  await expect(stepCounter(page)).toHaveText(/^Step 12 \//);
  await page.evaluate(() => { location.hash = "v1.AAAR"; });
  await expect(page.locator(".notice")).toHaveText(/What was on the page is kept/);
  await expect(page.locator(".story-title")).toHaveText("Edited: Bob has moved away");
  await expect(stepCounter(page)).toHaveText(/^Step 12 \//);
  // The skip link's #main is an anchor, not a link.
  await page.evaluate(() => { location.hash = "main"; });
  await expect(page.locator(".story-title")).toHaveText("Edited: Bob has moved away");
  expect(problems).toEqual([]);
});

test("Copy link, then the link in a new page, reopens the same step; without a clipboard the field is selected", async ({ open, problems, baseURL }) => {
  const { page, requests } = await openApp(open, "./?scenario=greylisting-retry");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(baseURL).origin });
  for (let i = 0; i < 45; i++) await page.keyboard.press("ArrowRight");
  await expect(stepCounter(page)).toHaveText(/^Step 46 \//);
  const live = await page.locator("#live").textContent();
  await page.getByRole("button", { name: "Copy link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Link copied to the clipboard." })).toBeVisible();
  const link = await page.locator("#share-copy-text").inputValue();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  expect(link).toMatch(new RegExp(`^${baseURL.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}(index\\.html)?#v6\\.`));

  const again = await openApp(open, link);
  await expect(again.page.locator("#live")).toHaveText(live);
  await expect(stepCounter(again.page)).toHaveText(/^Step 46 \//);
  await expect(again.page.getByRole("tab", { selected: true }), "the inspector is open").toHaveText("Inspector");

  // No Clipboard API (an insecure origin): the field is focused and selected instead.
  const bare = await fresh(open, null);
  await bare.page.context().addInitScript(() => Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined }));
  await app(bare.page, "./?scenario=happy-path&step=5");
  await bare.page.getByRole("button", { name: "Copy embed code" }).click();
  await expect(bare.page.getByRole("status").filter({ hasText: "press Ctrl+C" })).toBeVisible();
  await expect(bare.page.locator("#share-copy-text")).toBeFocused();
  const selected = await bare.page.evaluate(() => {
    const f = document.activeElement;
    return f.value.slice(f.selectionStart, f.selectionEnd);
  });
  expect(selected.startsWith('<iframe src="') && selected.includes('loading="lazy"') && selected.includes("www/embed.js"), selected).toBe(true);
  await screenshot(bare.page, "share-controls");
  expect(problems).toEqual([]);
  onlyOwnOrigin(requests, baseURL);
});

test("the download buttons give the SVG, the transcript, the JSON trace and the bounce as .eml", async ({ open, problems, baseURL }) => {
  const { page, requests } = await openApp(open, "./?scenario=unknown-user-bounce&step=54");
  await expect(stepCounter(page)).toHaveText(/^Step 54 \//);
  const fetch = async (click) => {
    const [download] = await Promise.all([page.waitForEvent("download"), click()]);
    return { name: download.suggestedFilename(), text: readFileSync(await download.path(), "utf8") };
  };
  const svg = await fetch(() => page.getByRole("button", { name: "Diagram (.svg)" }).click());
  expect(svg.name).toBe("unknown-user-bounce.svg");
  expect(svg.text.includes("<svg") && svg.text.includes("<title>"), svg.text.slice(0, 200)).toBe(true);
  const text = await fetch(() => page.getByRole("button", { name: "Transcript (.txt)" }).click());
  expect(text.name).toBe("unknown-user-bounce-transcript.txt");
  expect(text.text.length > 1000 && text.text.includes("550 5.1.1"), text.text.slice(0, 200)).toBe(true);
  const json = await fetch(() => page.getByRole("button", { name: "Trace (.json)" }).click());
  expect(json.name).toBe("unknown-user-bounce-trace.json");
  const trace = JSON.parse(json.text);
  expect(trace.version).toBe(4);
  expect(trace.events.length).toBe(54);
  await page.getByText(/Stored messages as \.eml/).click();
  const eml = await fetch(() => page.getByRole("button", { name: /^Download Bounce \d+ to alice@example\.com/ }).click());
  expect(eml.name).toMatch(/^unknown-user-bounce-bounce-\d+\.eml$/);
  expect(eml.text.includes("multipart/report") && eml.text.includes("Return-Path: <>"), eml.text.slice(0, 300)).toBe(true);
  await screenshot(page, "share-export-open");
  expect(problems).toEqual([]);
  onlyOwnOrigin(requests, baseURL);
});

for (const colorScheme of ["light", "dark"]) {
  test(`axe-core: the embed and the docs page have no serious or critical problem (${colorScheme})`, async ({ open, problems, baseURL }) => {
    const embed = await openApp(open, "./index.html?embed=1&scenario=greylisting-retry&step=46&panels=inspector", { colorScheme });
    await expect(stepCounter(embed.page)).toHaveText(/^Step 46 \//);
    expect(await axe(embed.page)).toEqual([]);
    await screenshot(embed.page, `share-embed-${colorScheme}`);
    onlyOwnOrigin(embed.requests, baseURL);

    const docs = await fresh(open, "./www/docs.html", { colorScheme });
    const frames = docs.page.locator("iframe");
    await expect(frames).toHaveCount(3);
    for (let i = 0; i < 3; i++) {
      await frames.nth(i).scrollIntoViewIfNeeded();
      await expect(stepCounter(frames.nth(i).contentFrame())).toBeVisible();
      // Each embed was sized by the host script.
      await expect(frames.nth(i)).toHaveAttribute("data-smtp-sim-height", /\d/);
    }
    expect(await axe(docs.page)).toEqual([]);
    await screenshot(docs.page, `share-docs-${colorScheme}`);
    expect(problems).toEqual([]);
    onlyOwnOrigin(docs.requests, baseURL);
  });
}

test("embed parameters: controls=0 hides the bar (a Pause button stays while it plays), hostile values are named in a note", async ({ open, problems }) => {
  const { page } = await openApp(open, "./index.html?embed=1&scenario=mx-fallback&step=4&controls=0&theme=%3Cb%3Ehi&speed=999");
  await expect(page.locator(".panel-controls")).toHaveCount(0);
  await expect(page.locator(".notice")).toHaveText(/no theme “<b>hi”/);
  await expect(page.locator(".notice")).toHaveText(/“speed=999” is not a speed/);
  await expect(page.locator(".notice b"), "text, not markup").toHaveCount(0);
  await expect(page.locator("#live")).toHaveText(/^Step 4 of/);
  await expect(page.getByRole("button", { name: "Pause", exact: true }), "nothing plays, so no pause button").toHaveCount(0);
  await page.keyboard.press("ArrowRight");
  await expect(page.locator("#live")).toHaveText(/^Step 5 of/);

  // Playing by itself without the bar: a Pause button stays (WCAG 2.2.2). The play timer runs
  // on Playwright's clock, so "paused" is checked by moving the clock on, not by waiting.
  const auto = await fresh(open, null);
  await auto.page.clock.install();
  await app(auto.page, "./index.html?embed=1&scenario=mx-fallback&controls=0&autoplay=1&speed=8");
  await expect(auto.page.locator("#live")).not.toHaveText(/^Step 1 of/);
  await auto.page.getByRole("button", { name: "Pause", exact: true }).click();
  await expect(auto.page.getByRole("button", { name: "Play", exact: true })).toBeVisible();
  const stopped = await auto.page.locator("#live").textContent();
  await auto.page.clock.runFor(2000);
  await expect(auto.page.locator("#live"), "paused").toHaveText(stopped);
  expect(problems).toEqual([]);
});
