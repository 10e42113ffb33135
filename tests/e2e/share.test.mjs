// Browser tests of share links, the embed player and the downloads: a page on a second local
// port (another origin) embeds the player and the host script sizes the iframe; "Open in
// smtp-sim" carries the exact state (edits included); a truncated link shows its reason and the
// default scenario; Copy link reopens the same state; the download buttons give the CLI's
// files; axe-core on the embed and the docs page; no console errors, no other origins.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { baseUrl, counter, launch, screenshot, stopServer, waitForApp } from "./harness.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

let browser;
let url;
let appOrigin;
let host; // the second server: the "other site" that embeds the player
let hostUrl;
const hostPages = new Map();

before(async () => {
  url = await baseUrl();
  appOrigin = new URL(url).origin;
  browser = await launch();
  host = createServer((req, res) => {
    const body = hostPages.get(new URL(req.url, "http://x").pathname);
    res.writeHead(body ? 200 : 404, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(body ?? "not found");
  });
  await new Promise((done) => host.listen(0, "127.0.0.1", done));
  hostUrl = `http://127.0.0.1:${host.address().port}/`;
});

after(async () => {
  await browser?.close();
  host?.close();
  stopServer();
});

/** A fresh page that records console errors, page errors and every request. */
async function fresh(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: "reduce", acceptDownloads: true, ...options });
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  context.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  context.on("request", (r) => requests.push(r.url()));
  return { context, page, problems, requests };
}

async function openApp(path, options) {
  const f = await fresh(options);
  await f.page.goto(url + path);
  await waitForApp(f.page);
  await f.page.locator("#live").waitFor();
  return f;
}

function onlyOwnOrigin(requests, ...allowed) {
  const origins = new Set([appOrigin, ...allowed]);
  const foreign = requests.filter((r) => !r.startsWith("blob:") && !r.startsWith("data:") && !origins.has(new URL(r).origin));
  assert.deepEqual(foreign, [], "no request leaves the page's own origin");
}

async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

/** A share link made by the CLI (`smtp-sim share`) for happy-path with another fault. */
function editedLink(step) {
  const toml = readFileSync(join(repo, "src/sim/scenarios/happy-path.toml"), "utf8")
    .replace(/^title = .*$/m, 'title = "Edited: Bob has moved away"')
    .replace('mailboxes = ["bob@example.org"]', 'mailboxes = ["carol@example.org"]');
  assert.ok(toml.includes("Edited: Bob") && toml.includes("carol@example.org"), "the edit applies");
  const file = join(mkdtempSync(join(tmpdir(), "smtp-sim-share-")), "edited.toml");
  writeFileSync(file, toml);
  const out = execFileSync("cargo", ["run", "-q", "--bin", "smtp-sim", "--", "share", file, "--step", String(step)], { cwd: repo, encoding: "utf8", timeout: 600_000 });
  return out.trim();
}

test("a page served from a second local port embeds the player in an iframe, steps it, and the iframe resizes", async () => {
  // The snippet comes from the page's own "Copy embed code", pasted into a plain HTML file.
  const app = await openApp("?scenario=unknown-user-bounce");
  await app.page.getByRole("button", { name: "Copy embed code" }).click();
  const snippet = await app.page.locator("#share-copy-text").inputValue();
  await app.context.close();
  assert.match(snippet, /^<iframe src="[^"]+\?embed=1#v3\.[^"]+" title="smtp-sim: Unknown user[^"]*" loading="lazy"/);
  assert.match(snippet, /<script src="[^"]+\/www\/embed\.js" async><\/script>$/);
  hostPages.set("/host.html", `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Another site</title><link rel="icon" href="data:,"></head>
<body style="margin:0"><main><h1>Another site</h1>
${snippet}
</main></body></html>`);
  const { context, page, problems, requests } = await fresh();
  await page.goto(hostUrl + "host.html");
  assert.notEqual(new URL(hostUrl).origin, appOrigin, "the host page is on another origin");
  const frame = page.frameLocator("iframe");
  await frame.locator(".counter-step").waitFor();
  const inner = page.frames().find((f) => f.url().startsWith(url));
  assert.ok(inner, "the iframe shows the app");
  assert.notEqual(new URL(inner.url()).origin, new URL(page.url()).origin);

  // The host script sets the iframe's height to the embed's content height.
  const fitted = async () => {
    await page.waitForFunction(() => document.querySelector("iframe").dataset.smtpSimHeight !== undefined);
    const outer = await page.evaluate(() => document.querySelector("iframe").getBoundingClientRect().height);
    const content = await inner.evaluate(() => document.querySelector(".embed").getBoundingClientRect().height);
    assert.ok(Math.abs(outer - Math.ceil(content)) <= 1, `iframe ${outer}px, content ${content}px`);
    return outer;
  };
  const first = await fitted();
  assert.notEqual(first, 520, "no longer the snippet's height attribute");

  // Step it from the host page.
  await frame.getByRole("button", { name: "Next step" }).click();
  await frame.getByRole("button", { name: "Next step" }).click();
  await inner.waitForFunction(() => document.querySelector(".counter-step").textContent.startsWith("Step 3 /"));
  assert.equal((await counter(frame))[0], 3);

  // A narrow column reflows the player: the iframe follows its new height.
  await page.evaluate(() => { document.querySelector("iframe").style.width = "360px"; });
  await page.waitForFunction((h) => Number(document.querySelector("iframe").dataset.smtpSimHeight) > h + 40, first);
  const narrow = await fitted();
  assert.ok(narrow > first, `${narrow}px > ${first}px`);
  await screenshot(page, "share-embed-cross-origin");
  assert.deepEqual(problems, []);
  onlyOwnOrigin(requests, new URL(hostUrl).origin);
  await context.close();
});

test("'Open in smtp-sim' lands on the same step with the same edits", async () => {
  const link = editedLink(30);
  assert.match(link, /^v3\.[A-Za-z0-9_-]+$/);
  const { context, page, problems, requests } = await openApp(`index.html?embed=1&theme=dark#${link}`);
  assert.equal(await page.locator(".story-title").textContent(), "Edited: Bob has moved away");
  const [step, total] = await counter(page);
  assert.equal(step, 30);
  const live = await page.locator("#live").textContent();
  const [full] = await Promise.all([context.waitForEvent("page"), page.getByRole("link", { name: /Open in smtp-sim/ }).click()]);
  await waitForApp(full);
  await full.locator("#live").waitFor();
  assert.equal(await full.locator(".story-title").textContent(), "Edited: Bob has moved away");
  assert.deepEqual(await counter(full), [30, total]);
  assert.equal(await full.locator("#live").textContent(), live);
  assert.equal(await full.locator(".notice").count(), 0, "no notice: the link was whole");
  assert.equal(await full.locator(".embed").count(), 0, "the full app, not the embed");
  // The edit changed the run: the built-in happy path has another number of steps.
  const builtin = await openApp("?scenario=happy-path");
  assert.notEqual((await counter(builtin.page))[1], total);
  await builtin.context.close();
  assert.deepEqual(problems, []);
  onlyOwnOrigin(requests);
  await context.close();
});

test("a truncated link shows the message and the default scenario; a bad link pasted later keeps the page", async () => {
  const whole = editedLink(12);
  const { context, page, problems } = await openApp(`#${whole.slice(0, Math.floor(whole.length / 2))}`);
  const notice = await page.locator(".notice").textContent();
  assert.match(notice, /This shared link could not be opened: the link is incomplete/);
  assert.match(notice, /default scenario/);
  assert.match(await page.locator(".story-title").textContent(), /^Happy path/);
  assert.equal((await counter(page))[0], 1);

  // Now a whole link arrives through the address bar (hashchange), then a damaged one.
  await page.evaluate((l) => { location.hash = l; }, whole);
  await page.waitForFunction(() => document.querySelector(".story-title").textContent.startsWith("Edited:"));
  assert.equal((await counter(page))[0], 12);
  await page.evaluate(() => { location.hash = "v1.AAAR"; });
  await page.waitForFunction(() => /What was on the page is kept/.test(document.querySelector(".notice")?.textContent ?? ""));
  assert.equal(await page.locator(".story-title").textContent(), "Edited: Bob has moved away");
  assert.equal((await counter(page))[0], 12);
  // The skip link's #main is an anchor, not a link.
  await page.evaluate(() => { location.hash = "main"; });
  assert.equal(await page.locator(".story-title").textContent(), "Edited: Bob has moved away");
  assert.deepEqual(problems, []);
  await context.close();
});

test("Copy link, then the link in a new page, reopens the same step; without a clipboard the field is selected", async () => {
  const { context, page, problems, requests } = await openApp("?scenario=greylisting-retry");
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: appOrigin });
  for (let i = 0; i < 45; i++) await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => document.querySelector(".counter-step").textContent.startsWith("Step 46 /"));
  const live = await page.locator("#live").textContent();
  await page.getByRole("button", { name: "Copy link" }).click();
  await page.getByRole("status").filter({ hasText: "Link copied to the clipboard." }).waitFor();
  const link = await page.locator("#share-copy-text").inputValue();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
  assert.match(link, new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}(index\\.html)?#v3\\.`));

  const again = await fresh();
  await again.page.goto(link);
  await waitForApp(again.page);
  await again.page.locator("#live").waitFor();
  assert.equal(await again.page.locator("#live").textContent(), live);
  assert.equal((await counter(again.page))[0], 46);
  assert.equal(await again.page.getByRole("tab", { selected: true }).textContent(), "Inspector", "the inspector is open");
  await again.context.close();

  // No Clipboard API (an insecure origin): the field is focused and selected instead.
  const bare = await fresh();
  await bare.context.addInitScript(() => Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined }));
  await bare.page.goto(url + "?scenario=happy-path&step=5");
  await waitForApp(bare.page);
  await bare.page.getByRole("button", { name: "Copy embed code" }).click();
  await bare.page.getByRole("status").filter({ hasText: "press Ctrl+C" }).waitFor();
  const selected = await bare.page.evaluate(() => {
    const f = document.activeElement;
    return f.id === "share-copy-text" ? f.value.slice(f.selectionStart, f.selectionEnd) : null;
  });
  assert.ok(selected?.startsWith('<iframe src="') && selected.includes('loading="lazy"') && selected.includes("www/embed.js"), selected);
  await screenshot(bare.page, "share-controls");
  await bare.context.close();
  assert.deepEqual(problems, []);
  onlyOwnOrigin(requests);
  await context.close();
});

test("the download buttons give the SVG, the transcript, the JSON trace and the bounce as .eml", async () => {
  const { context, page, problems, requests } = await openApp("?scenario=unknown-user-bounce&step=54");
  const fetch = async (click) => {
    const [download] = await Promise.all([page.waitForEvent("download"), click()]);
    return { name: download.suggestedFilename(), text: readFileSync(await download.path(), "utf8") };
  };
  const svg = await fetch(() => page.getByRole("button", { name: "Diagram (.svg)" }).click());
  assert.equal(svg.name, "unknown-user-bounce.svg");
  assert.ok(svg.text.includes("<svg") && svg.text.includes("<title>"), svg.text.slice(0, 200));
  const text = await fetch(() => page.getByRole("button", { name: "Transcript (.txt)" }).click());
  assert.equal(text.name, "unknown-user-bounce-transcript.txt");
  assert.ok(text.text.length > 1000 && text.text.includes("550 5.1.1"), text.text.slice(0, 200));
  const json = await fetch(() => page.getByRole("button", { name: "Trace (.json)" }).click());
  assert.equal(json.name, "unknown-user-bounce-trace.json");
  const trace = JSON.parse(json.text);
  assert.equal(trace.version, 3);
  assert.equal(trace.events.length, 54);
  await page.getByText(/Stored messages as \.eml/).click();
  const eml = await fetch(() => page.getByRole("button", { name: /^Download Bounce \d+ to alice@example\.com/ }).click());
  assert.match(eml.name, /^unknown-user-bounce-bounce-\d+\.eml$/);
  assert.ok(eml.text.includes("multipart/report") && eml.text.includes("Return-Path: <>"), eml.text.slice(0, 300));
  await screenshot(page, "share-export-open");
  assert.deepEqual(problems, []);
  onlyOwnOrigin(requests);
  await context.close();
});

for (const colorScheme of ["light", "dark"]) {
  test(`axe-core: the embed and the docs page have no serious or critical problem (${colorScheme})`, async () => {
    const embed = await openApp("index.html?embed=1&scenario=greylisting-retry&step=46&panels=inspector", { colorScheme });
    assert.deepEqual(await axe(embed.page), []);
    await screenshot(embed.page, `share-embed-${colorScheme}`);
    assert.deepEqual(embed.problems, []);
    onlyOwnOrigin(embed.requests);
    await embed.context.close();

    const docs = await fresh({ colorScheme });
    await docs.page.goto(url + "www/docs.html");
    const frames = docs.page.locator("iframe");
    assert.equal(await frames.count(), 3);
    for (let i = 0; i < 3; i++) {
      await frames.nth(i).scrollIntoViewIfNeeded();
      await docs.page.frameLocator(`iframe >> nth=${i}`).locator(".counter-step").waitFor();
    }
    // Each embed was sized by the host script.
    await docs.page.waitForFunction(() => [...document.querySelectorAll("iframe")].every((f) => f.dataset.smtpSimHeight));
    assert.deepEqual(await axe(docs.page), []);
    await screenshot(docs.page, `share-docs-${colorScheme}`);
    assert.deepEqual(docs.problems, []);
    onlyOwnOrigin(docs.requests);
    await docs.context.close();
  });
}

test("embed parameters: controls=0 hides the bar (a Pause button stays while it plays), hostile values are named in a note", async () => {
  const { context, page, problems } = await openApp("index.html?embed=1&scenario=mx-fallback&step=4&controls=0&theme=%3Cb%3Ehi&speed=999");
  assert.equal(await page.locator(".panel-controls").count(), 0);
  const notice = await page.locator(".notice").textContent();
  assert.match(notice, /no theme “<b>hi”/);
  assert.match(notice, /“speed=999” is not a speed/);
  assert.equal(await page.locator(".notice b").count(), 0, "text, not markup");
  assert.match(await page.locator("#live").textContent(), /^Step 4 of/);
  assert.equal(await page.getByRole("button", { name: "Pause" }).count(), 0, "nothing plays, so no pause button");
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => document.querySelector("#live").textContent.startsWith("Step 5 of"));
  assert.deepEqual(problems, []);
  await context.close();

  // Playing by itself without the bar: a Pause button stays (WCAG 2.2.2).
  const auto = await openApp("index.html?embed=1&scenario=mx-fallback&controls=0&autoplay=1&speed=8");
  await auto.page.waitForFunction(() => !document.querySelector("#live").textContent.startsWith("Step 1 of"));
  await auto.page.getByRole("button", { name: "Pause" }).click();
  await auto.page.getByRole("button", { name: "Play" }).waitFor();
  const stopped = await auto.page.locator("#live").textContent();
  await auto.page.waitForTimeout(400);
  assert.equal(await auto.page.locator("#live").textContent(), stopped, "paused");
  assert.deepEqual(auto.problems, []);
  await auto.context.close();
});
