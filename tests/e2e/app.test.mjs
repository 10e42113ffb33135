// Browser tests of the app shell: what a person sees when the page opens, and when it breaks.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { baseUrl, launch, screenshot, stopServer, waitForApp } from "./harness.mjs";

const REGIONS = ["Scenarios", "Network", "Sequence diagram", "Inspector"];
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

async function open(options = {}, path = "") {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const failed = [];
  page.on("response", (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
  return { context, page, problems, requests, failed, go: () => page.goto(url + path) };
}

test("the shell renders with its title, header, the playback bar and four labelled regions", async () => {
  const { context, page, go } = await open({ viewport: { width: 1280, height: 800 } });
  await go();
  await waitForApp(page);
  assert.equal(await page.title(), "smtp-sim");
  assert.equal(await page.getByRole("banner").getByRole("heading", { level: 1 }).textContent(), "smtp-sim");
  for (const name of REGIONS) {
    const region = page.getByRole("region", { name });
    assert.equal(await region.count(), 1, `one region named ${name}`);
    assert.ok(await region.isVisible(), `${name} is visible`);
    assert.ok((await region.textContent()).length > 40, `${name} shows something`);
  }
  assert.equal(await page.getByRole("main").count(), 1);
  // The default scenario is open, with its title as the playback bar's heading.
  assert.equal(await page.getByRole("region", { name: "Happy path: from Alice's laptop to Bob's mailbox" }).count(), 1);
  assert.equal(await page.locator("#fatal").isHidden(), true, "no error box");
  await context.close();
});

test("no console errors and no requests except the app's own files", async () => {
  const { context, page, problems, requests, failed, go } = await open();
  await go();
  await waitForApp(page);
  await page.waitForLoadState("networkidle");
  assert.deepEqual(problems, []);
  assert.deepEqual(failed, []);
  const origin = new URL(url).origin;
  const foreign = requests.filter((r) => new URL(r).origin !== origin);
  assert.deepEqual(foreign, []);
  // The first view is the viewer build; the full app is loaded on first use of a tool.
  for (const own of ["dist/viewer.js", "dist/viewer_bg.wasm", "www/style.css"]) {
    assert.ok(requests.includes(url + own), `${own} was loaded`);
  }
  await context.close();
});

test("a missing wasm file shows a readable error, not a blank page", async () => {
  const { context, page, go } = await open({ viewport: { width: 1280, height: 800 } });
  await page.route("**/*.wasm", (route) => route.fulfill({ status: 404, contentType: "text/plain", body: "gone" }));
  await go();
  const box = page.locator("#fatal");
  await box.waitFor({ state: "visible", timeout: 15000 });
  const text = await box.textContent();
  assert.match(text, /smtp-sim could not start: the WebAssembly file failed to load \(HTTP 404/);
  assert.match(text, /Try reloading/);
  assert.equal(await box.getAttribute("role"), "alert");
  await screenshot(page, "error-missing-wasm");
  await context.close();
});

test("a Rust panic (?debug=panic) shows a visible error message", async () => {
  const { context, page, go } = await open({ viewport: { width: 1280, height: 800 } }, "?debug=panic");
  await go();
  const box = page.locator("#fatal");
  await box.waitFor({ state: "visible", timeout: 15000 });
  const text = await box.textContent();
  assert.match(text, /smtp-sim stopped because of an internal error: deliberate panic requested with \?debug=panic/);
  assert.doesNotMatch(text, /unreachable/, "the panic message, not the trap that follows it");
  await screenshot(page, "error-panic");
  await context.close();
});

for (const [label, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 800 }]]) {
  test(`no horizontal overflow at ${viewport.width}×${viewport.height} (${label}), light and dark`, async () => {
    for (const colorScheme of ["light", "dark"]) {
      const { context, page, go } = await open({ viewport, colorScheme });
      await go();
      await waitForApp(page);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      assert.ok(scrollWidth <= clientWidth, `${colorScheme}: page is ${scrollWidth}px wide in a ${clientWidth}px viewport`);
      for (const name of REGIONS) {
        const box = await page.getByRole("region", { name }).boundingBox();
        assert.ok(box.x >= 0 && box.x + box.width <= clientWidth + 0.5, `${name} fits horizontally`);
      }
      await screenshot(page, `shell-${viewport.width}x${viewport.height}-${colorScheme}`);
      await context.close();
    }
  });
}

test("dark mode (prefers-color-scheme: dark) changes the background", async () => {
  const background = async (colorScheme) => {
    const { context, page, go } = await open({ colorScheme });
    await go();
    await waitForApp(page);
    const color = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await context.close();
    return color;
  };
  const light = await background("light");
  const dark = await background("dark");
  assert.notEqual(light, dark);
  const luminance = (rgb) => rgb.match(/\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0) / 3;
  assert.ok(luminance(dark) < 64 && luminance(light) > 192, `light ${light}, dark ${dark}`);
});

test("keyboard: the first Tab shows a focused skip link that moves to the simulator", async () => {
  const { context, page, go } = await open({ viewport: { width: 390, height: 844 } });
  await go();
  await waitForApp(page);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to the simulator" });
  assert.ok(await skip.evaluate((el) => el === document.activeElement), "skip link has focus");
  const box = await skip.boundingBox();
  assert.ok(box && box.y >= 0 && box.y < 844, "focused skip link is on screen");
  const outline = await skip.evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(outline, "none", "focus is visible");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "main");
  await context.close();
});
