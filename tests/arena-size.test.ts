// How big the arena may be: SHMKIT_ARENA_SIZE and new Arena({ maxBytes })
// take byte counts with binary suffixes, up to the 4 GiB one 32-bit Wasm
// memory can address; past it the message says the ceiling and why. Every
// segment of a process is a view of that one memory.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Arena, Memfd } from '../host/index.js';
import { BYTE_COUNT_FORMS } from '../host/byte-count.js';
import { thrown } from './helpers/errors.js';
import { runFixture } from './helpers/processes.js';
import { cleanup } from './helpers/resources.js';

const size = suite('arena size');
size.after.each(cleanup);

const MiB = 1024 * 1024;

function withArenaSize<T>(value: string, make: () => T): T {
  const before = process.env.SHMKIT_ARENA_SIZE;
  process.env.SHMKIT_ARENA_SIZE = value;
  try {
    return make();
  } finally {
    if (before === undefined) delete process.env.SHMKIT_ARENA_SIZE;
    else process.env.SHMKIT_ARENA_SIZE = before;
  }
}

size('SHMKIT_ARENA_SIZE takes bytes, hex, K/M/G and KiB/MiB/GiB', () => {
  const cases: [string, number][] = [
    ['1048576', MiB], ['0x100000', MiB], ['256K', 256 * 1024], ['64M', 64 * MiB], ['64 MiB', 64 * MiB],
    ['1g', 1024 * MiB], ['1GiB', 1024 * MiB], ['4G', 4096 * MiB],
  ];
  for (const [value, bytes] of cases) {
    assert.is(withArenaSize(value, () => new Arena()).maxBytes, bytes, value);
  }
});

size('the arena holds what SHMKIT_ARENA_SIZE allows and no more', () => {
  const small = withArenaSize('512K', () => new Arena());
  const fits = Memfd.create({ size: 256 * 1024, arena: small });
  const error = thrown(() => Memfd.create({ size: 512 * 1024, arena: small }));
  assert.is(error.code, 'ENOSPC');
  fits.close();
});

size('past 4 GiB: the ceiling and its reason, from the variable and from maxBytes', () => {
  for (const [make, source] of [
    [() => withArenaSize('8G', () => new Arena()), 'SHMKIT_ARENA_SIZE=8G'],
    [() => new Arena({ maxBytes: 8 * 1024 * MiB }), 'new Arena: maxBytes=8589934592'],
  ] as const) {
    const error = thrown(make);
    assert.is(error.code, 'EINVAL');
    assert.ok(error.message.startsWith(`${source} is more than one arena can hold: at most 4 GiB (4294967296 bytes), because `), error.message);
    assert.match(error.message, 'one WebAssembly.Memory');
    assert.match(error.message, '32-bit');
  }
});

size('what is not a size is refused with what to write', () => {
  for (const value of ['lots', '8 gigs', '-1M', '1.5G', '1e9', '0x']) {
    const error = thrown(() => withArenaSize(value, () => new Arena()));
    assert.is(error.code, 'EINVAL', value);
    assert.is(error.message, `SHMKIT_ARENA_SIZE must be a number of bytes ${BYTE_COUNT_FORMS}: got '${value}'`);
  }
  const unaligned = thrown(() => withArenaSize('100000', () => new Arena()));
  assert.is(unaligned.message, 'SHMKIT_ARENA_SIZE=100000 must be a whole number of 64 KiB units (65536 bytes), like 128K');
  assert.is(thrown(() => withArenaSize('0', () => new Arena())).code, 'EINVAL');
  assert.match(thrown(() => new Arena({ maxbytes: MiB } as never)).message, "unknown option 'maxbytes'");
  assert.is(thrown(() => new Arena(null as never)).code, 'EINVAL');
});

size('the process default arena reads SHMKIT_ARENA_SIZE', async () => {
  const ok = await runFixture('arena-size-peer.ts', [], { env: { ...process.env, SHMKIT_ARENA_SIZE: '96M' } });
  assert.is(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout), { maxBytes: 96 * MiB });
  const refused = await runFixture('arena-size-peer.ts', [], { env: { ...process.env, SHMKIT_ARENA_SIZE: '8G' } });
  assert.is(refused.code, 1);
  assert.equal(JSON.parse(refused.stdout), { code: 'EINVAL', ceiling: true });
});

size('seg.bytes is a view into the whole arena: its buffer is every segment\'s', () => {
  const arena = new Arena({ maxBytes: 8 * 65536 });
  const a = Memfd.create({ size: 4096, arena });
  const b = Memfd.create({ size: 4096, arena });
  assert.is(a.bytes.buffer, arena.memory.buffer);
  assert.is(a.bytes.buffer, b.bytes.buffer);
  assert.is(a.bytes.byteLength, 4096);
  assert.is(a.bytes.byteOffset, a.offset);
  assert.ok(a.bytes.buffer.byteLength > a.bytes.byteLength);
  a.close();
  b.close();
});

size.run();
