#!/usr/bin/env node
// What one core instance costs a new thread, through host/wasi/preview1.ts
// (the few functions the core imports) and through node:wasi:
//   node --import tsx scripts/measure-core-instantiation.mjs [threads] [instancesPerThread]
// Each thread loads its WASI, instantiates the core once (the first use,
// as a worker joining an arena pays it), then many times (steady state).
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';

const WAYS = ['preview1.ts', 'node:wasi'];

if (isMainThread) {
  const threads = Number(process.argv[2] ?? 8);
  const repeat = Number(process.argv[3] ?? 200);
  const bytes = readFileSync(new URL('../build/core.wasm', import.meta.url));
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  for (const way of WAYS) {
    const firsts = [];
    const steadies = [];
    for (let t = 0; t < threads; t++) {
      const result = await new Promise((resolve, reject) => {
        // tsx reaches a worker only through a bootstrap that registers it.
        const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;
        const worker = new Worker(bootstrap, { eval: true, workerData: { way, module, memory, repeat } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      firsts.push(result.firstMs);
      steadies.push(result.steadyUs);
    }
    console.log(`${way.padEnd(12)} first instance in a new thread: median ${median(firsts).toFixed(3)} ms; then ${median(steadies).toFixed(1)} µs per instance (median of ${threads} threads × ${repeat})`);
  }
} else {
  const { way, module, memory, repeat } = workerData;
  // Every thread loads the host's core code anyway: only the WASI part is timed.
  const { instantiateCore } = await import('../host/core/core.ts');
  const started = performance.now();
  const instantiate = await load(way, instantiateCore);
  instantiate(module, memory);
  const firstMs = performance.now() - started;
  const steadyStart = performance.now();
  for (let i = 0; i < repeat; i++) instantiate(module, memory);
  const steadyUs = ((performance.now() - steadyStart) * 1000) / repeat;
  parentPort.postMessage({ firstMs, steadyUs });
}

// Loading the WASI implementation is part of a thread's first instance.
async function load(way, instantiateCore) {
  if (way === 'node:wasi') {
    const { WASI } = await import('node:wasi');
    return (module, memory) => {
      const wasi = new WASI({ version: 'preview1', returnOnExit: true });
      instantiateCore(module, memory, { imports: wasi.getImportObject().wasi_snapshot_preview1, initialize: (instance) => wasi.initialize(instance) });
    };
  }
  return (module, memory) => instantiateCore(module, memory);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
