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

try {
  if (typeof WebAssembly !== "object") {
    throw new BootError("this browser does not support WebAssembly");
  }
  let glue;
  try {
    glue = await import("../dist/smtp-sim.js");
  } catch (error) {
    throw new BootError(`the JavaScript module failed to load (${error.message})`);
  }
  let response;
  try {
    response = await fetch(new URL("../dist/smtp-sim_bg.wasm", import.meta.url));
  } catch (error) {
    throw new BootError(`the WebAssembly file could not be downloaded (${error.message})`);
  }
  if (!response.ok) {
    throw new BootError(
      `the WebAssembly file failed to load (HTTP ${response.status} ${response.statusText})`.trimEnd());
  }
  await glue.default({ module_or_path: response });
} catch (error) {
  const why = error instanceof BootError
    ? error.message
    : `starting the WebAssembly module failed (${error})`;
  showFatal(`smtp-sim could not start: ${why}.`, RETRY);
}
