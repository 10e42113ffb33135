// Browser tests of the app shell: what a person sees when the page opens, and when it breaks.
// (Converted from app.test.mjs: the same checks, with web-first assertions.)
import { test, expect, app, screenshot } from "./fixtures.mjs";

const REGIONS = ["Scenarios", "Network", "Sequence diagram", "Inspector"];
const DESKTOP = { viewport: { width: 1280, height: 800 } };

test("the shell renders with its title, header, the playback bar and four labelled regions", async ({ open }) => {
  const page = await open("./", DESKTOP);
  await app(page, null);
  await expect(page).toHaveTitle("smtp-sim");
  await expect(page.getByRole("banner").getByRole("heading", { level: 1 })).toHaveText("smtp-sim");
  for (const name of REGIONS) {
    const region = page.getByRole("region", { name });
    await expect(region, `one region named ${name}`).toHaveCount(1);
    await expect(region).toBeVisible();
    await expect(region, `${name} shows something`).toHaveText(/.{40}/s);
  }
  await expect(page.getByRole("main")).toHaveCount(1);
  // The default scenario is open, with its title as the playback bar's heading.
  await expect(page.getByRole("region", { name: "Happy path: from Alice's laptop to Bob's mailbox" })).toHaveCount(1);
  await expect(page.locator("#fatal"), "no error box").toBeHidden();
});

test("no console errors and no requests except the app's own files", async ({ page, problems, baseURL }) => {
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await app(page);
  await page.waitForLoadState("networkidle");
  expect(problems).toEqual([]);
  const origin = new URL(baseURL).origin;
  expect(requests.filter((r) => new URL(r).origin !== origin)).toEqual([]);
  // The first view is the viewer build; the full app is loaded on first use of a tool.
  for (const own of ["www/boot.js", "dist/viewer.js", "dist/viewer_bg.wasm", "www/style.css"]) {
    expect(requests, `${own} was loaded`).toContain(baseURL + own);
  }
});

test("a missing wasm file shows a readable error, not a blank page", async ({ open }) => {
  const page = await open(null, DESKTOP);
  await page.route("**/*.wasm", (route) => route.fulfill({ status: 404, contentType: "text/plain", body: "gone" }));
  await page.goto("./");
  const box = page.locator("#fatal");
  await expect(box).toBeVisible();
  await expect(box).toHaveText(/smtp-sim could not start: the WebAssembly file failed to load \(HTTP 404/);
  await expect(box).toHaveText(/Try reloading/);
  await expect(box).toHaveAttribute("role", "alert");
  await screenshot(page, "error-missing-wasm");
});

test("a Rust panic (?debug=panic) shows a visible error message", async ({ open }) => {
  const page = await open("./?debug=panic", DESKTOP);
  const box = page.locator("#fatal");
  await expect(box).toBeVisible();
  await expect(box).toHaveText(/smtp-sim stopped because of an internal error: deliberate panic requested with \?debug=panic/);
  await expect(box, "the panic message, not the trap that follows it").not.toHaveText(/unreachable/);
  await screenshot(page, "error-panic");
});

for (const [label, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1280, height: 800 }]]) {
  for (const colorScheme of ["light", "dark"]) {
    test(`no horizontal overflow at ${viewport.width}×${viewport.height} (${label}), ${colorScheme}`, async ({ open }) => {
      const page = await open("./", { viewport, colorScheme });
      await app(page, null);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      expect(scrollWidth, `page is ${scrollWidth}px wide in a ${clientWidth}px viewport`).toBeLessThanOrEqual(clientWidth);
      for (const name of REGIONS) {
        const box = await page.getByRole("region", { name }).boundingBox();
        expect(box.x >= 0 && box.x + box.width <= clientWidth + 0.5, `${name} fits horizontally`).toBe(true);
      }
      await screenshot(page, `shell-${viewport.width}x${viewport.height}-${colorScheme}`);
    });
  }
}

test("dark mode (prefers-color-scheme: dark) changes the background", async ({ open }) => {
  const background = async (colorScheme) => {
    const page = await open("./", { colorScheme });
    await app(page, null);
    return await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  };
  const light = await background("light");
  const dark = await background("dark");
  expect(light).not.toBe(dark);
  const luminance = (rgb) => rgb.match(/\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0) / 3;
  expect(luminance(dark) < 64 && luminance(light) > 192, `light ${light}, dark ${dark}`).toBe(true);
});

test("keyboard: the first Tab shows a focused skip link that moves to the simulator", async ({ open }) => {
  const page = await open("./", { viewport: { width: 390, height: 844 } });
  await app(page, null);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to the simulator" });
  await expect(skip, "skip link has focus").toBeFocused();
  await expect(skip, "focused skip link is on screen").toBeInViewport();
  await expect(skip, "focus is visible").not.toHaveCSS("outline-style", "none");
  await page.keyboard.press("Enter");
  await expect(page.locator("#main")).toBeFocused();
});
