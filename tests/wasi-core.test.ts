// The core as a WASI preview1 reactor: what it imports and exports, that a
// later instance's _initialize leaves a live memory as it was, that
// node:wasi and @bjorn3/browser_wasi_shim instantiate the very same file,
// and that the checked build's failed assertion is an ECOREABORT ShmError
// with the core's message (SHMKIT_CORE=checked selects it).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { WASI as NodeWasi } from 'node:wasi';
import * as browserShim from '@bjorn3/browser_wasi_shim';
import { ShmError } from '../host/index.js';
import { instantiateCore } from '../host/core/core.js';
import { CoreMemory } from '../host/core/core-memory.js';
import { coreWasmLocation } from '../host/core/wasm-location.js';
import { CORE_ABORT, type CoreWasi } from '../host/wasi/preview1.js';
import { run } from './helpers/processes.js';

const builds = {
  release: new WebAssembly.Module(readFileSync(coreWasmLocation()!)),
  checked: new WebAssembly.Module(readFileSync(new URL('core.checked.wasm', coreWasmLocation()!))),
};
type Build = keyof typeof builds;
const BUILDS = Object.keys(builds) as Build[];
// The checked build's abort message is composed below its static data (asconfig.json memoryBase).
const ABORT_AREA = 1024;
const MUTEX_ID = 77;

function memoryOf(build: Build): CoreMemory {
  return new CoreMemory({ maxBytes: 16 * 65536, module: builds[build] });
}

function nodeWasi(): CoreWasi {
  const wasi = new NodeWasi({ version: 'preview1', returnOnExit: true });
  return { imports: (wasi.getImportObject() as { wasi_snapshot_preview1: WebAssembly.ModuleImports }).wasi_snapshot_preview1, initialize: (instance) => wasi.initialize(instance) };
}

function browserWasi(): CoreWasi {
  const wasi = new browserShim.WASI([], [], [], { debug: false });
  return { imports: wasi.wasiImport, initialize: (instance) => wasi.initialize(instance as unknown as Parameters<typeof wasi.initialize>[0]) };
}

const WASI_HOSTS: Array<[string, () => CoreWasi]> = [['node:wasi', nodeWasi], ['@bjorn3/browser_wasi_shim', browserWasi]];

const shape = suite('wasi core: the module');

shape('the release core imports only its shared memory and exports it with _initialize, as a WASI reactor does', () => {
  const module = builds.release;
  assert.equal(WebAssembly.Module.imports(module), [{ module: 'env', name: 'memory', kind: 'memory' }]);
  const exports = WebAssembly.Module.exports(module);
  assert.ok(exports.some((e) => e.name === 'memory' && e.kind === 'memory'), 'exports its memory');
  assert.ok(exports.some((e) => e.name === '_initialize' && e.kind === 'function'), 'exports _initialize');
  assert.not.ok(exports.some((e) => e.name === '_start'), 'a reactor has no _start');
});

shape('the checked core imports fd_write and proc_exit from wasi_snapshot_preview1, nothing invented', () => {
  const imports = WebAssembly.Module.imports(builds.checked).map((i) => `${i.module}.${i.name}`).sort();
  assert.equal(imports, ['env.memory', 'wasi_snapshot_preview1.fd_write', 'wasi_snapshot_preview1.proc_exit']);
});

shape.run();

const live = suite('wasi core: a second instance on a live memory');

for (const build of BUILDS) {
  live(`${build}: another instance's _initialize changes no byte of a live memory, and it sees the first one's state`, () => {
    const memory = memoryOf(build);
    const first = memory.core;
    const place = memory.claimUnits(65536, 1).offset;
    first.mutexInit(place, 0);
    assert.is(first.mutexTryLock(place, MUTEX_ID, 0), 0, 'the first instance locks');
    memory.bytes(place + 64, 4096).fill(0x5a);
    const before = new Uint8Array(memory.memory.buffer).slice();
    const second = instantiateCore(builds[build], memory.memory);
    const after = new Uint8Array(memory.memory.buffer);
    assert.is(firstDifference(before, after), -1, 'first byte that changed');
    assert.is(second.mutexOwner(place), MUTEX_ID, 'the second instance sees the lock');
    assert.is(second.crc32(place + 64, 4096, 0), first.crc32(place + 64, 4096, 0));
    assert.is(second.arenaJoin(), memory.instances, 'it joins the same arena');
  });
}

for (const [name, wasi] of WASI_HOSTS) {
  live(`${name} instantiates the same core.wasm on a live memory; both instances share one semaphore`, () => {
    const memory = memoryOf('release');
    const place = memory.claimUnits(65536, 1).offset;
    memory.core.semInit(place, 2);
    const before = new Uint8Array(memory.memory.buffer).slice();
    const other = instantiateCore(builds.release, memory.memory, wasi());
    assert.is(firstDifference(before, new Uint8Array(memory.memory.buffer)), -1, 'first byte its initialisation changed');
    assert.is(other.semTryWait(place), 1);
    assert.is(memory.core.semValue(place), 1, 'the first instance sees the token taken');
    assert.is(other.arenaLimitUnits(), 16);
  });
}

live.run();

const checked = suite('wasi core: the checked build');

const RING_BYTES = 65536;

// A ring in a unit of its own; a descriptor handed in inside that window is a host bug the checked build asserts against.
function placeRing(memory: CoreMemory): number {
  const ring = memory.claimUnits(RING_BYTES, 1).offset;
  memory.core.spscInit(ring, ring + RING_BYTES, 1024);
  return ring;
}

checked('a failed assertion is an ECOREABORT ShmError carrying the core\'s message, and the abort writes only its own area', () => {
  const memory = memoryOf('checked');
  const ring = placeRing(memory);
  const before = new Uint8Array(memory.memory.buffer).slice();
  let caught: unknown;
  try {
    memory.core.spscOpen(ring + 512, ring, ring + RING_BYTES);
  } catch (error) {
    caught = error;
  }
  assert.instance(caught, ShmError);
  const error = caught as ShmError;
  assert.is(error.code, CORE_ABORT);
  assert.match(error.message, /descriptor inside the object's window: hand the core private memory/);
  assert.match(error.message, /assembly\/descriptor\.ts\(\d+:\d+\)/);
  assert.match(error.message, /bug in shmkit/);
  const after = new Uint8Array(memory.memory.buffer);
  assert.is(firstDifference(before.subarray(ABORT_AREA), after.subarray(ABORT_AREA)), -1, 'first byte past the abort area that changed');
});

checked('a WASI that lacks a function the core imports is ELIBBAD naming it, before any code runs', () => {
  const memory = memoryOf('checked');
  let initialized = false;
  const lacking: CoreWasi = { imports: { fd_write: () => 0 }, initialize: () => (initialized = true) };
  assert.throws(() => instantiateCore(builds.checked, memory.memory, lacking), (error: ShmError) =>
    error instanceof ShmError && error.code === 'ELIBBAD' && /proc_exit/.test(error.message));
  assert.not.ok(initialized);
});

checked('the release build keeps no such check: the same call returns', () => {
  const memory = memoryOf('release');
  const ring = placeRing(memory);
  assert.type(memory.core.spscOpen(ring + 512, ring, ring + RING_BYTES), 'number');
});

checked('SHMKIT_CORE=checked makes the Node loader use the checked build; unset, the release one; anything else is EINVAL', async () => {
  const probe = "const { coreModule } = await import('./host/core/node-module.ts');" +
    "try { console.log(WebAssembly.Module.imports(coreModule()).map((i) => i.name).join(',')); }" +
    "catch (error) { console.log(error.name, error.code, error.message); }";
  const imports = async (value: string | undefined) => {
    const env = { ...process.env };
    if (value === undefined) delete env.SHMKIT_CORE;
    else env.SHMKIT_CORE = value;
    const result = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { env });
    assert.is(result.code, 0, result.stderr);
    return result.stdout.trim();
  };
  assert.is(await imports(undefined), 'memory');
  assert.is(await imports('release'), 'memory');
  assert.is(await imports('checked'), 'proc_exit,fd_write,memory');
  assert.match(await imports('fast'), /^ShmError EINVAL SHMKIT_CORE must be 'release' or 'checked' \(or unset\): SHMKIT_CORE="fast"$/);
});

checked.run();

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
