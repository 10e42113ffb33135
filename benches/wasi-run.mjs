// Runs a benchmark built for wasm32-wasip1 under Node's WASI (Node 20+), passing through the
// environment variables the benches read (SIM_*, DATA_*).
//
//   cargo bench --bench sim --target wasm32-wasip1 --no-run
//   node benches/wasi-run.mjs target/wasm32-wasip1/release/deps/sim-<hash>.wasm
//
// (`cargo xtask bench wasm` does both.) Node prints an ExperimentalWarning for WASI; that is all.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { argv, env, exit } from 'node:process';

const file = argv[2];
if (!file) {
  console.error('usage: node benches/wasi-run.mjs <bench.wasm> [args...]');
  exit(2);
}
const pass = Object.fromEntries(Object.entries(env).filter(([k]) => /^(SIM|DATA)_/.test(k)));
const wasi = new WASI({ version: 'preview1', args: [file, ...argv.slice(3)], env: pass, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
