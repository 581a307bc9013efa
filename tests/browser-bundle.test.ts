// shmkit/browser: bundled for the browser by esbuild, it reaches no Node
// builtin, no koffi and no OS layer (from the source entry and from the
// built dist/browser.mjs); and dist/browser.mjs works, imported in Node on a
// plain shared memory, with worker_threads joining the arena from one
// message and running the same protocol checks the Chromium test runs.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build, type Metafile, type Plugin } from 'esbuild';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = `${ROOT}dist/browser.mjs`;
const PROTOCOL = `${ROOT}demo/web/checks/protocol.mjs`;
const NODE_BUILTINS = new Set(builtinModules);
// What only Node, the FFI or the OS layers are made of.
const OS_BOUND = /(^|\/)host\/(linux|api|arena|cli)\/|host\/core\/node-module\.ts$|host\/channel\/streams\.ts$|node_modules\/koffi\//;

interface Bundled {
  /** Every import esbuild was asked to resolve that a browser cannot have. */
  refused: string[];
  inputs: string[];
  text: string;
}

// Fails resolution of anything Node-only, so a bundle that needs it cannot be made.
function refuseNode(refused: string[]): Plugin {
  return {
    name: 'refuse-node',
    setup(b) {
      b.onResolve({ filter: /.*/ }, ({ path, importer }) => {
        const bare = path.replace(/^node:/, '');
        if (path.startsWith('node:') || NODE_BUILTINS.has(bare) || NODE_BUILTINS.has(bare.split('/')[0]!) || bare === 'koffi' || bare.startsWith('koffi/')) {
          refused.push(`${path} (from ${importer.replace(ROOT, '')})`);
          return { errors: [{ text: `a browser bundle cannot import '${path}'` }] };
        }
        return undefined;
      });
    },
  };
}

async function bundle(entry: string): Promise<Bundled> {
  const refused: string[] = [];
  try {
    const result = await build({
      entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', target: 'es2022',
      write: false, metafile: true, logLevel: 'silent', plugins: [refuseNode(refused)],
    });
    return { refused, inputs: Object.keys((result.metafile as Metafile).inputs), text: result.outputFiles[0]!.text };
  } catch {
    return { refused, inputs: [], text: '' };
  }
}

function requireDist(): void {
  assert.ok(existsSync(DIST), `${DIST} is missing: run \`npm run build\` first`);
}

const bundles = suite('shmkit/browser bundles');

bundles('the source entry bundles for the browser with no Node builtin, koffi or OS layer in it', async () => {
  const { refused, inputs } = await bundle(`${ROOT}host/browser/index.ts`);
  assert.equal(refused, [], 'nothing Node-only is imported');
  assert.ok(inputs.includes('host/browser/index.ts') && inputs.includes('host/format/managed.ts') && inputs.includes('host/channel/spsc-ring.ts'), `the portable layers are in it: ${inputs.join(', ')}`);
  assert.equal(inputs.filter((input) => OS_BOUND.test(input)), [], 'no OS-bound module is in it');
});

bundles('dist/browser.mjs bundles the same way and carries the release core', async () => {
  requireDist();
  const { refused, inputs, text } = await bundle(DIST);
  assert.equal(refused, []);
  assert.equal(inputs.filter((input) => OS_BOUND.test(input)), []);
  const core = readFileSync(`${ROOT}build/core.wasm`).toString('base64');
  assert.ok(text.includes(core), 'the bytes of build/core.wasm are inlined');
});

bundles('the check is not vacuous: the Node entry is refused for what it imports', async () => {
  const { refused } = await bundle(`${ROOT}host/index.ts`);
  // koffi itself is loaded on the first OS call (not an import a bundler sees); the Linux host's builtins are.
  assert.ok(refused.some((r) => r.startsWith('node:worker_threads')), `node:worker_threads is refused: ${refused.join(', ')}`);
  assert.ok(refused.some((r) => r.startsWith('node:fs')), `node:fs is refused: ${refused.join(', ')}`);
});

// ---- dist/browser.mjs in Node ----------------------------------------------

type Shm = typeof import('../host/browser/index.js');
/** shmkit/browser as a dependent imports it: through package.json's exports. */
const ENTRY: string = 'shmkit/browser';
const load = async (): Promise<Shm> => {
  requireDist();
  return (await import(ENTRY)) as Shm;
};

bundles("package.json exports './browser': types first, then the ESM file", async () => {
  const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
  const entry = manifest.exports['./browser'];
  assert.equal(Object.keys(entry), ['types', 'import']);
  for (const file of Object.values(entry) as string[]) assert.ok(existsSync(ROOT + file), `${file} is missing: run \`npm run build\``);
  assert.is(import.meta.resolve(ENTRY), pathToFileURL(DIST).href);
});

/** The code of the ShmError `fn` throws (by name: the bundle has its own class). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.is((error as Error).name, 'ShmError', `expected a ShmError, got ${String(error)}`);
    return (error as { code: string }).code;
  }
  assert.unreachable('expected a ShmError, nothing was thrown');
  return '';
}

// Workers that run a protocol check's role: dist/browser.mjs and the checks, as a browser worker would load them.
const started = new Set<Worker>();
function startRole(message: unknown): Promise<unknown> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    Promise.all([import(${JSON.stringify(pathToFileURL(DIST).href)}), import(${JSON.stringify(pathToFileURL(PROTOCOL).href)})])
      .then(([shm, protocol]) => protocol.runRole(shm, workerData))
      .then((answer) => parentPort.postMessage({ answer }), (error) => parentPort.postMessage({ error: String(error?.stack ?? error) }));
  `;
  const worker = new Worker(code, { eval: true, workerData: message });
  started.add(worker);
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { answer?: unknown; error?: string }) => (m.error ? reject(new Error(`worker: ${m.error}`)) : resolve(m.answer)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited (code ${code}) before answering`)));
  });
}

async function stopWorkers(): Promise<void> {
  await Promise.all([...started].map((worker) => worker.terminate()));
  started.clear();
}

const plain = suite('dist/browser.mjs on a plain memory in Node');
plain.after.each(stopWorkers);

plain('a formatted segment in a region: structs, tables, locks and a ring, on one thread', async () => {
  const shm = await load();
  const arena = new shm.PlainArena({ maxBytes: 16 << 20 });
  using seg = arena.createSegment('basics', { size: 1 << 20, directorySlots: 16 });
  assert.ok(seg.initialised);
  const Reading = shm.struct('Reading', { id: 'u32', value: 'f64', name: shm.string(8) });
  const table = seg.findOrCreate('readings', { table: Reading, count: 4 });
  table.set(2, { id: 7, value: 1.5, name: 'boiler' });
  assert.equal(table.get(2), { id: 7, value: 1.5, name: 'boiler' });
  const mutex = seg.mutex('lock');
  assert.is(mutex.lockSync(), 'acquired', 'Node\'s main thread may block, so the sync form works');
  mutex.unlock();
  const ring = seg.ring('ring', 4096);
  const tx = ring.acquireProducer();
  const rx = ring.acquireConsumer();
  assert.ok(tx.trySend(new Uint8Array([1, 2, 3])));
  assert.equal([...rx.tryReceive()!], [1, 2, 3]);
  assert.equal(seg.list().map((o) => o.name).sort(), ['lock', 'readings', 'ring']);
  assert.equal(arena.regions.map((r) => r.name), ['basics']);
});

plain('closing the segment gives its region back; a new region there starts zeroed and unformatted', async () => {
  const shm = await load();
  const arena = new shm.PlainArena({ maxBytes: 4 << 20 });
  const first = arena.createSegment('a', { size: 65536 });
  const offset = first.segment.offset;
  first.create('x', { bytes: 16 }).fill(9);
  first.close();
  assert.is(arena.findRegion('a'), undefined);
  const again = arena.createSegment('a', { size: 65536 });
  assert.is(again.segment.offset, offset, 'the same units were reused');
  assert.ok(again.initialised, 'formatted afresh, not joined');
  assert.equal(again.list(), []);
  again.close();
});

plain('bad arguments are EINVAL before anything is claimed; unknown option keys too', async () => {
  const shm = await load();
  const arena = new shm.PlainArena({ maxBytes: 4 << 20 });
  const used = arena.usedBytes;
  assert.is(codeOf(() => new shm.PlainArena({ maxBytes: 1000 })), 'EINVAL');
  assert.is(codeOf(() => new shm.PlainArena({ maxbytes: 65536 } as never)), 'EINVAL');
  assert.is(codeOf(() => arena.region('', 4096)), 'EINVAL');
  assert.is(codeOf(() => arena.region('r', 0)), 'EINVAL');
  assert.is(codeOf(() => arena.createSegment('s', { size: 65536, slots: 4 } as never)), 'EINVAL');
  assert.is(codeOf(() => arena.createSegment('s', { size: 65536, directorySlots: 0 })), 'EINVAL');
  assert.is(codeOf(() => arena.createSegment('s', { size: 16 })), 'EINVAL', 'too small for a header');
  assert.is(codeOf(() => arena.openSegment('nowhere')), 'ENOENT');
  assert.is(codeOf(() => arena.region('big', 1 << 30)), 'ENOSPC');
  assert.is(arena.usedBytes, used, 'no unit was kept by a refused call');
  using region = arena.region('r', 4096);
  assert.is(codeOf(() => arena.region('r', 4096)), 'EEXIST');
  assert.is(codeOf(() => region.place(4096)), 'EINVAL');
});

plain('joinArena checks every field of the message, and joining again learns new regions', async () => {
  const shm = await load();
  const arena = new shm.PlainArena({ maxBytes: 4 << 20 });
  const message = arena.share();
  assert.ok(shm.isArenaMessage(message));
  for (const bad of [null, 5, {}, { ...message, abi: 0 }, { ...message, memory: new WebAssembly.Memory({ initial: 1 }) }, { ...message, regions: [{ name: 'x', offset: 3, size: 1 }] }, { ...message, extra: 1 }]) {
    assert.ok(['EINVAL', 'ELAYOUT'].includes(codeOf(() => shm.joinArena(bad as never))), `refused: ${JSON.stringify(bad)}`);
  }
  // A second core instance on the same memory stands in for another thread here.
  const joined = shm.joinArena(message);
  assert.is.not(joined, arena);
  assert.equal(joined.regions, []);
  using late = arena.createSegment('late', { size: 65536 });
  late.create('hello', { bytes: 8 });
  assert.is(shm.joinArena(arena.share()), joined, 'joining the same memory again gives the same arena');
  assert.equal(joined.regions.map((r) => r.name), ['late']);
  using there = joined.openSegment('late');
  assert.equal(there.list().map((o) => o.name), ['hello']);
  there.close();
  assert.ok(arena.findRegion('late') && !late.segment.closed, 'closing an opened segment leaves the region to its maker');
});

const protocol = await import(pathToFileURL(PROTOCOL).href);
for (const name of protocol.CHECK_NAMES as string[]) {
  plain(`protocol check in worker_threads: ${name}`, async () => {
    const shm = await load();
    const arena = new shm.PlainArena({ maxBytes: 64 << 20 });
    const { ok, detail } = await protocol.runCheck(name, shm, arena, startRole);
    assert.ok(ok, detail);
  });
}

bundles.run();
plain.run();
