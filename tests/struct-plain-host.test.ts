// "Everywhere": the struct layout and codecs need no koffi and no Linux.
// A child node process (tests/fixtures/struct-plain-host.ts) blocks koffi and
// host/linux/* with a resolve hook, imports only host/struct and the OS-free
// core memory, builds a Table in a plain shared WebAssembly.Memory, moves
// columns through the core, and lets a Worker that joins the same memory
// read the records and write some back. This test checks what it printed.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runFixture } from './helpers/processes.js';
import { cleanup, trackPath } from './helpers/resources.js';
import '../host/core/node-module.js'; // this thread's core, for the schema's layouts below
import { COUNT, Item, itemValue } from './fixtures/struct-plain-schema.js';

const plain = suite('struct on a plain SharedArrayBuffer host');
plain.after.each(cleanup);

interface PlainRun {
  out: any;
  loaded: string[];
}

async function runPlainHost(): Promise<PlainRun> {
  const dir = trackPath(mkdtempSync(join(tmpdir(), 'shmkit-struct-plain-')));
  const log = join(dir, 'resolved.txt');
  writeFileSync(log, '');
  const result = await runFixture('struct-plain-host.ts', [log]);
  assert.is(result.code, 0, `fixture failed (signal ${result.signal}): ${result.stderr}`);
  const loaded = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
  return { out: JSON.parse(result.stdout), loaded };
}

// One child process serves every test below (it is the expensive part).
let run: Promise<PlainRun> | undefined;
const plainRun = () => (run ??= runPlainHost());

/** Records as JSON carries them: bigints spelled `123n`. */
function asJson(record: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(record, (_, x) => (typeof x === 'bigint' ? `${x}n` : x)));
}

const KINDS = ['Cat', 'Dog', 'Newt'];
/** What the fixture's main thread leaves in record i, before the worker's writes. */
function written(i: number) {
  return { ...itemValue(i), n: i * 7, kind: i < 4 ? 'Newt' : KINDS[i % 3], name: i === 5 ? 'héllo' : `ñ${i}` };
}

plain('the hook refuses koffi and host/linux, and only OS-free modules were loaded', async () => {
  const { out, loaded } = await plainRun();
  assert.match(out.koffi, /plain host: import of 'koffi'.*forbidden/);
  assert.match(out.linux, /plain host: import of .*host\/linux\/libc\.ts.*forbidden/);
  const ours = loaded.filter((url) => url.startsWith('file://')).map((url) => url.replace(/^.*?\/(host|tests)\//, '$1/'));
  for (const must of ['host/struct/index.ts', 'host/struct/table.ts', 'host/core/core-memory.ts', 'host/core/node-module.ts', 'tests/fixtures/struct-plain-worker.ts']) {
    assert.ok(ours.includes(must), `${must} should have been resolved through the hook: ${ours.join(', ')}`);
  }
  const forbidden = ours.filter((p) => /^host\/(linux|api|arena|format|cli)\//.test(p) || p.includes('koffi'));
  assert.equal(forbidden, [], 'nothing OS-bound was loaded');
  assert.not.ok(loaded.some((url) => url.includes('koffi')), 'koffi never resolved');
});

plain('the child computes the same C layout, hash and header as this process', async () => {
  const { out } = await plainRun();
  assert.equal(out.layout, {
    size: Item.size, align: Item.align, hash: `${Item.hash}`, offsets: Item.fields.map((f) => [f.name, f.offset]),
  });
  assert.equal(out.layout.offsets, [['c', 0], ['d', 8], ['id', 16], ['kind', 24], ['ok', 25], ['name', 26], ['path', 36], ['n', 52]]);
  assert.is(out.layout.size, 56);
  assert.ok(out.header > 500, 'cHeader works without the OS');
});

plain('Table.set/get, accessors and core column moves work in a plain CoreMemory; a bad column writes nothing', async () => {
  const { out } = await plainRun();
  assert.is(out.records.length, COUNT);
  for (let i = 0; i < COUNT; i++) {
    // The worker rewrote d and record 3's n before the main thread printed.
    const expected = { ...written(i), d: -i - 0.5, n: i === 3 ? 12345 : i * 7 };
    assert.equal(out.records[i], asJson(expected), `record ${i}`);
  }
  assert.equal(out.ids, Array.from({ length: COUNT }, (_, i) => `${(1n << 40n) + BigInt(i)}n`));
  assert.equal(out.kinds, [-7, -7, -7, -7, 2, -7, 1, 2]);
  assert.equal(out.oks, [0, 1, 0, 1]);
  assert.equal(out.ns, [420, 427, 434, 441]);
  assert.match(out.badWrite, /^EINVAL PlainItem\.c\[63\]: 256 is out of range/);
  assert.equal(out.cAfterBadWrite, [60, 61, 62, 63], 'the refused column left every record alone');
});

plain('a Worker joining the same WebAssembly.Memory reads the same records and its writes show in the main thread', async () => {
  const { out } = await plainRun();
  const w = out.worker;
  assert.is(w.sameBuffer, true);
  assert.is(w.instances, 2, 'the worker added a second core instance to the memory');
  for (let i = 0; i < COUNT; i++) assert.equal(w.records[i], asJson(written(i)), `worker record ${i}`);
  assert.equal(w.ids, out.ids);
  assert.equal(out.afterWorker, { n3: 12345, d: [-0.5, -1.5, -2.5] });
});

plain.run();
