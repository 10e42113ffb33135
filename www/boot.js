// Boot: load the generated JS glue and the wasm, and turn any failure into a readable message
// instead of a blank page. Text is set with textContent only. The Rust panic hook
// (src/ui/fatal.rs) uses the same box; the first error shown wins.
//
// A file of its own, not an inline <script>: the page's Content-Security-Policy allows scripts
// from the page's own origin only (see the <meta http-equiv> in index.html). Paths are relative
// to this file, so the page works from any folder of a static host.
const RETRY = "Try reloading the page. If this keeps happening, the site may be being updated: " +
  "try again in a minute, or use a current version of Firefox, Chrome, Edge or Safari.";

function showFatal(message, hint) {
  const box = document.getElementById("fatal");
  if (!box.hidden) return;
  document.getElementById("fatal-message").textContent = message;
  document.getElementById("fatal-hint").textContent = hint;
  box.hidden = false;
  const boot = document.querySelector("#app > .boot");
  if (boot) boot.hidden = true;
}

class BootError extends Error {}

window.addEventListener("error", (event) => {
  showFatal(`smtp-sim stopped because of an error: ${event.message}`, RETRY);
});
window.addEventListener("unhandledrejection", (event) => {
  showFatal(`smtp-sim stopped because of an error: ${event.reason}`, RETRY);
});

// One of the two builds of the app (`cargo xtask build`): its JS glue and its compiled wasm.
async function load(name) {
  let glue;
  try {
    glue = await import(`../dist/${name}.js`);
  } catch (error) {
    throw new BootError(`the JavaScript module failed to load (${error.message})`);
  }
  let response;
  try {
    response = await fetch(new URL(`../dist/${name}_bg.wasm`, import.meta.url));
  } catch (error) {
    throw new BootError(`the WebAssembly file could not be downloaded (${error.message})`);
  }
  if (!response.ok) {
    throw new BootError(
      `the WebAssembly file failed to load (HTTP ${response.status} ${response.statusText})`.trimEnd());
  }
  // Compiled while it downloads when the server says it is wasm (as wasm-bindgen's own init does).
  const module = response.headers.get("content-type")?.startsWith("application/wasm")
    ? await WebAssembly.compileStreaming(response)
    : await WebAssembly.compile(await response.arrayBuffer());
  return { glue, module };
}

function failed(error) {
  const why = error instanceof BootError
    ? error.message
    : `starting the WebAssembly module failed (${error})`;
  showFatal(`smtp-sim could not start: ${why}.`, RETRY);
}

// The first view is the viewer (player, network, diagram, inspector, catalogue). The first
// use of a tool calls this (src/ui/studio.rs) after writing the exact state into the address
// as a share link: the full app is downloaded, the viewer stopped (`stop`), and the full app
// started on the same root, where it reads the address; then the first element matching
// `focus` (a CSS selector) whose text is `press` (any text when `press` is null or "") gets
// the focus, and is clicked unless `press` is null: a button pressed in the viewer is pressed
// in the full app. Asked once; a second call while loading waits for the same load.
let studio = null;
window.smtpSimStudio = (focus, press, stop) => {
  studio ??= (async () => {
    try {
      const { glue, module } = await load("smtp-sim");
      stop();
      await glue.default({ module_or_path: module });
      document.documentElement.dataset.smtpSim = "studio";
      for (let frame = 0; frame < 120; frame++) {
        const target = [...document.querySelectorAll(focus)]
          .find((e) => !press || e.textContent.trim() === press);
        if (target) {
          target.focus();
          if (press !== null) target.click();
          break;
        }
        await new Promise(requestAnimationFrame);
      }
    } catch (error) {
      failed(error);
    }
  })();
  return studio;
};

try {
  if (typeof WebAssembly !== "object") {
    throw new BootError("this browser does not support WebAssembly");
  }
  const { glue, module } = await load("viewer");
  await glue.default({ module_or_path: module });
  document.documentElement.dataset.smtpSim = "viewer";
} catch (error) {
  failed(error);
}
  
