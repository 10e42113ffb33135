// `cargo xtask bench browser`: the visualizer's speed in headless Chromium (issue 5). Not a test:
// it prints numbers and asserts nothing about time (it fails only if the page does not work).
//
// 1. Start-up: navigation → the first rendered scenario of smtp-sim (a `.sd-row` of the sequence
//    diagram and the "Step 1 of …" caption are in the DOM), against navigation → the heading of a
//    hello-world Yew page built the same way (bench/hello). Both are timed inside the page with
//    `performance.now()` (0 = navigation start): a MutationObserver installed before any page
//    script notes when the element appears ("DOM"), then the next requestAnimationFrame callback,
//    the frame that paints it ("frame"); "wasm in" is when the .wasm file had arrived (its
//    Resource Timing responseEnd). The main page and the embed (`?embed=1`) are timed. Each load is a fresh browser context (empty cache); the
//    two pages alternate, BENCH_RUNS (default 10) loads each.
// 2. Stepping on the 10,000-event trace (`?debug=bench10k`): key presses (→, ←, Home, End) and
//    scrubber moves are dispatched in the page as real DOM events to the app's own listeners.
//    "work" = dispatch → Yew has rendered (a task after the event, so its microtask scheduler
//    has run) and style + layout are forced (getBoundingClientRect); "frame" = dispatch → the next
//    animation frame has run (rAF, then one task), which includes waiting for the frame clock.
//    "cpu" = the renderer main thread's CPU time from one step to the next (script, style,
//    layout, paint), from a Chrome trace of the stepping: it barely depends on the machine's
//    load, unlike the two wall-clock columns. After every step the counter must show the
//    expected step, or the run fails.
//
// Run by hand: build (`cargo xtask build`, and the hello page as the xtask does), then
// `SMTP_SIM_URL=http://127.0.0.1:PORT/ node bench-browser.mjs`.
import os from "node:os";
import { baseUrl, launch, stopServer } from "./harness.mjs";

// BENCH_RUNS=0 skips the start-up part.
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const STEPS = Number(process.env.BENCH_STEPS ?? 300);
// The phone run (390×844, CPU throttled 4×): BENCH_PHONE_STEPS key presses (0 skips it).
const PHONE_STEPS = Number(process.env.BENCH_PHONE_STEPS ?? 90);

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const ms = (v) => (Number.isFinite(v) ? v.toFixed(1).padStart(8) : "       –");

/** Installed before any page script: resolves with the times the `ready` test first passed. */
function watchFirstRender(readyFn) {
  const ready = new Function(`return (${readyFn})();`);
  window.__firstRender = new Promise((resolve) => {
    let done = false;
    const check = () => {
      if (done || !ready()) return;
      done = true;
      observer.disconnect();
      const dom = performance.now();
      requestAnimationFrame(() => {
        const wasm = performance.getEntriesByType("resource").find((r) => r.name.endsWith(".wasm"));
        resolve({ dom, frame: performance.now(), wasm: wasm ? wasm.responseEnd : NaN });
      });
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { childList: true, subtree: true, characterData: true });
  });
}

const APP_READY = `() => !!document.querySelector("svg.sd-body .sd-row") &&
  (document.querySelector("#live")?.textContent ?? "").startsWith("Step ")`;
const HELLO_READY = `() => !!document.getElementById("hello")`;

async function startup(browser, url, ready) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript(watchFirstRender, ready);
  await page.goto(url);
  const t = await page.evaluate(() => window.__firstRender);
  await context.close();
  if (errors.length) throw new Error(`${url}: ${errors.join("; ")}`);
  return t;
}

/** Runs one step in the page and times it (see the header). */
function stepInPage([kind, arg]) {
  const task = () => new Promise((r) => { const c = new MessageChannel(); c.port1.onmessage = r; c.port2.postMessage(0); });
  performance.mark("bench-step");
  const t0 = performance.now();
  if (kind === "key") {
    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: arg, bubbles: true, cancelable: true }));
  } else {
    const s = document.querySelector(".scrub input");
    s.value = String(arg);
    s.dispatchEvent(new Event("input", { bubbles: true }));
  }
  return task().then(() => {
    document.querySelector("svg.sd-body").getBoundingClientRect();
    const t1 = performance.now();
    return new Promise((r) => requestAnimationFrame(r)).then(task).then(() => ({
      work: t1 - t0,
      frame: performance.now() - t0,
      counter: document.querySelector(".counter-step").textContent,
      rows: document.querySelectorAll("svg.sd-body .sd-row").length,
    }));
  });
}

/**
 * Main-thread CPU time per step, from a Chrome trace: the thread time (`tdur`) of the renderer
 * main thread's top-level tasks between one step's `bench-step` mark and the next. Unlike wall
 * time it hardly changes when other programs load the machine. Sets `cpu` on each result.
 */
function mainThreadCpu(events, results) {
  const marks = events.filter((e) => e.name === "bench-step").sort((a, b) => a.ts - b.ts);
  if (marks.length !== results.length + 1) throw new Error(`${marks.length} step marks for ${results.length} steps`);
  const { pid, tid } = marks[0];
  const tasks = events
    .filter((e) => e.ph === "X" && e.pid === pid && e.tid === tid && e.name === "ThreadControllerImpl::RunTask")
    .sort((a, b) => a.ts - b.ts);
  let end = -Infinity;
  let k = 0;
  results.forEach((r, i) => {
    let cpu = 0;
    for (; k < tasks.length && tasks[k].ts < marks[i + 1].ts; k++) {
      const t = tasks[k];
      if (t.ts < end) continue; // nested in a task already counted
      end = t.ts + t.dur;
      if (t.ts >= marks[i].ts) cpu += t.tdur ?? t.dur;
    }
    r.cpu = cpu / 1000;
  });
}

/** Steps through `?debug=bench10k` in a fresh context of `viewport`, the renderer's CPU slowed
 * `throttle` times; `steps` key presses in all (a third → from the start, a third → mid-trace, the
 * rest ← from the end) plus Home/End and scrubber jumps. */
async function stepping(browser, url, viewport, throttle, steps) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url + "?debug=bench10k");
  await page.waitForSelector("svg.sd-body .sd-row");
  if (throttle > 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
  }
  const total = Number(/Step \d+ \/ (\d+)/.exec(await page.locator(".counter-step").textContent())[1]);
  let at = 1;
  const groups = new Map();
  const order = [];
  await browser.startTracing(page, { categories: ["toplevel", "blink.user_timing"] });
  let maxRows = 0;
  const step = async (group, action, expect) => {
    const r = await page.evaluate(stepInPage, action);
    if (!r.counter.startsWith(`Step ${expect} /`)) {
      throw new Error(`${group}: expected step ${expect}, the counter reads "${r.counter}"`);
    }
    at = expect;
    maxRows = Math.max(maxRows, r.rows);
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(r);
    order.push(r);
  };
  // The harness's own cost: a key the app ignores, so the page does not change.
  for (let i = 0; i < 50; i++) await step("(no-op key: harness)", ["key", "Shift"], at);
  const third = Math.floor(steps / 3);
  for (let i = 0; i < third; i++) await step("→ from the start", ["key", "ArrowRight"], at + 1);
  await step("scrubber jump", ["scrub", Math.floor(total / 2)], Math.floor(total / 2));
  for (let i = 0; i < third; i++) await step("→ mid-trace", ["key", "ArrowRight"], at + 1);
  await step("End / Home", ["key", "End"], total);
  for (let i = 0; i < steps - 2 * third; i++) await step("← from the end", ["key", "ArrowLeft"], at - 1);
  let seed = 7;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return 1 + (seed % n); };
  for (let i = 0; i < 20; i++) {
    await step("End / Home", ["key", "Home"], 1);
    await step("End / Home", ["key", "End"], total);
    const to = rand(total);
    await step("scrubber jump", ["scrub", to], to);
  }
  await page.evaluate(() => performance.mark("bench-step"));
  mainThreadCpu(JSON.parse((await browser.stopTracing()).toString()).traceEvents, order);
  await context.close();
  if (errors.length) throw new Error(errors.join("; "));
  return { groups, maxRows, total };
}

/** Prints one stepping table: per action and for all, work/frame/cpu p50, p95 and max. */
function table(title, { groups, maxRows, total }) {
  console.log(`\n${title}`);
  console.log(`(load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")})`);
  console.log("action                   n   work p50  work p95  work max  frame p50  frame p95  frame max    cpu p50   cpu p95   cpu max");
  const all = [];
  for (const [name, rs] of groups) {
    if (!name.startsWith("(")) all.push(...rs);
    const w = rs.map((r) => r.work);
    const f = rs.map((r) => r.frame);
    const c = rs.map((r) => r.cpu);
    console.log(`${name.padEnd(20)}${String(rs.length).padStart(6)} ${ms(pct(w, 50))}  ${ms(pct(w, 95))}  ${ms(pct(w, 100))}   ${ms(pct(f, 50))}  ${ms(pct(f, 95))}  ${ms(pct(f, 100))}   ${ms(pct(c, 50))}  ${ms(pct(c, 95))}  ${ms(pct(c, 100))}`);
  }
  const w = all.map((r) => r.work);
  const f = all.map((r) => r.frame);
  const c = all.map((r) => r.cpu);
  console.log(`${"all".padEnd(20)}${String(all.length).padStart(6)} ${ms(pct(w, 50))}  ${ms(pct(w, 95))}  ${ms(pct(w, 100))}   ${ms(pct(f, 50))}  ${ms(pct(f, 95))}  ${ms(pct(f, 100))}   ${ms(pct(c, 50))}  ${ms(pct(c, 95))}  ${ms(pct(c, 100))}`);
  console.log(`diagram rows in the DOM: at most ${maxRows} (of ${total})`);
}

async function main() {
  const url = await baseUrl();
  const browser = await launch();
  try {
    // ---- start-up ----
    const app = [];
    const hello = [];
    const big = [];
    const embed = [];
    if (RUNS > 0) await startup(browser, url, APP_READY); // warm the server's file cache, not the browser's
    for (let i = 0; i < RUNS; i++) {
      app.push(await startup(browser, url, APP_READY));
      hello.push(await startup(browser, url + "bench-hello/index.html", HELLO_READY));
      big.push(await startup(browser, url + "?debug=bench10k", APP_READY));
      embed.push(await startup(browser, url + "?embed=1", APP_READY));
    }

    // ---- stepping on the 10,000-event trace: desktop, then a phone with the CPU slowed 4× ----
    const desktop = await stepping(browser, url, { width: 1280, height: 800 }, 1, STEPS);
    const phone = PHONE_STEPS > 0 ? await stepping(browser, url, { width: 390, height: 844 }, 4, PHONE_STEPS) : null;
    const { total } = desktop;
    // ---- report ----
    const dom = (xs) => xs.map((x) => x.dom);
    const frame = (xs) => xs.map((x) => x.frame);
    if (RUNS > 0) {
    console.log(`\nStart-up, navigation → first render (ms, ${RUNS} fresh loads each; 0 = navigation start)`);
    console.log(`(load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}, ${os.cpus().length} CPUs)`);
    console.log("page                                wasm in p50  DOM p50  DOM p95  frame p50  frame p95");
    const line = (name, xs) => console.log(`${name.padEnd(36)}${ms(pct(xs.map((x) => x.wasm), 50))}   ${ms(pct(dom(xs), 50))} ${ms(pct(dom(xs), 95))}  ${ms(pct(frame(xs), 50))}  ${ms(pct(frame(xs), 95))}`);
    line("hello-world Yew page", hello);
    line("smtp-sim (happy-path)", app);
    line(`smtp-sim ?debug=bench10k (${total} steps)`, big);
    line("smtp-sim ?embed=1 (happy-path)", embed);
    const ratio = (xs) => (pct(frame(xs), 50) / pct(frame(hello), 50)).toFixed(2);
    console.log(`ratio smtp-sim / hello (frame p50): main page ${ratio(app)}×, embed ${ratio(embed)}× (goal ≤ 1.5×)`);
    }

    table(`Stepping on the ${total}-step trace at 1280×800 (ms per step; goal p95 < 16)`, desktop);
    if (phone) table(`Stepping at 390×844 with the CPU throttled 4× (Chrome's Emulation.setCPUThrottlingRate; ${PHONE_STEPS} steps)`, phone);
  } finally {
    await browser.close();
    stopServer();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
