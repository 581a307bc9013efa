// Runs the WASI conformance program on this page and publishes
// window.wasiResult (the Chromium test compares its output with node:wasi's).
// The server mounts the shim's dist under /wasi-shim/, and a browser build of
// host/wasi/conformance.ts with the program under /wasi-program/.
import * as shim from '/wasi-shim/index.js';
import { browserShimHost, conformanceArgs, runConformance } from '/wasi-program/conformance.mjs';

const seed = Number(new URLSearchParams(location.search).get('seed') ?? 1);
let result;
try {
  // Not compileStreaming: that needs application/wasm, which a plain static server may not send.
  const module = await WebAssembly.compile(await (await fetch('/wasi-program/conformance.wasm')).arrayBuffer());
  result = runConformance(module, browserShimHost(shim, conformanceArgs(seed)));
} catch (error) {
  result = { error: String(error?.stack ?? error) };
}
document.getElementById('status').textContent = result.error ?? `seed ${seed}: ${result.passed} passed, ${result.failed} failed (exit status ${result.exitCode})`;
document.getElementById('output').textContent = result.output ?? '';
window.wasiResult = result;
