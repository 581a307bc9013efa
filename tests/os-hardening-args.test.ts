// Hostile arguments at every public entry of the OS layer: each must be a
// ShmError with the code listed (EINVAL unless said), and leave nothing
// behind: no new POSIX object, no new System V segment made by this
// process, no descriptor, no arena window.
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Arena, Memfd, MappedFile, Posix, ShmError, SysV, openOrCreate } from '../host/index.js';
import { libc } from '../host/linux/libc.js';
import { IPC_RMID } from '../host/linux/constants.js';
import { cleanup, freshKey, freshName, trackPosix } from './helpers/resources.js';

const args = suite('hostile arguments');
args.after.each(cleanup);
args.after(() => rmSync(dir, { recursive: true, force: true }));

// A null-prototype object and one whose conversions throw catch messages built with String().
const poisoned = { toString() { throw new Error('toString called'); }, valueOf() { throw new Error('valueOf called'); } };
const nullProto = Object.create(null) as object;
const notNumbers: unknown[] = [undefined, null, '4096', true, Symbol('s'), 10n, [], [4096], {}, nullProto, poisoned, () => 1];
const badIntegers: unknown[] = [NaN, Infinity, -Infinity, -1, 1.5, 2 ** 53, -(2 ** 53)];
const badSizes: unknown[] = [...notNumbers, ...badIntegers, 0, -0];
const badBooleans: unknown[] = [1, 0, 'true', null, Symbol('b'), 10n, {}, [], nullProto, poisoned];
const badModes: unknown[] = [...notNumbers.filter((v) => v !== undefined), ...badIntegers, 0o1000, 0o7777, '0600'];
const notObjects: unknown[] = [null, 1, 'x', true, Symbol('o'), 10n, [], [{ size: 4096 }], () => ({})];
const badNames: unknown[] = [
  undefined, null, 1, 10n, Symbol('n'), [], {}, nullProto, poisoned,
  '', '/', 'noslash', '/a/b', '/a\0b', '/.', '/..', '/' + 'x'.repeat(256),
];
const badPaths: unknown[] = [undefined, null, 1, 10n, Symbol('p'), [], {}, nullProto, poisoned, '', 'a\0b'];
const badKeys: unknown[] = [...notNumbers.filter((v) => v !== undefined), ...badIntegers.filter((v) => v !== -1), 2 ** 32, -(2 ** 31) - 1];
const badFds: unknown[] = [...notNumbers, ...badIntegers, 2 ** 31];

const SIZE = 65536;
const name = freshName('args');
const dir = mkdtempSync(join(tmpdir(), 'shmkit-args-'));
const path = join(dir, 'file');
const key = freshKey();
const arenaLike = { claim() {}, release() {}, maxBytes: 1 << 30 };

interface Case { label: string; call: () => unknown; codes?: string[] }
const cases: Case[] = [];
const add = (label: string, call: () => unknown, codes?: string[]) => cases.push({ label, call, codes });
const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return 'Symbol';
  if (typeof v === 'function') return 'function';
  if (v === nullProto) return 'null-proto';
  if (v === poisoned) return 'poisoned';
  if (Array.isArray(v)) return `[${v.map(show).join(',')}]`;
  if (typeof v === 'object' && v !== null) return `{${Object.entries(v).map(([k, x]) => `${k}:${show(x)}`).join(',')}}`;
  return String(v);
};

// Options shared by the creating entries: sizes, modes, flags, arena, unknown keys.
function optionCases(entry: string, call: (options: Record<string, unknown>) => unknown, base: Record<string, unknown>, flags: string[]): void {
  for (const o of notObjects) add(`${entry} options ${show(o)}`, () => call(o as never));
  if ('size' in base) for (const size of badSizes) add(`${entry} size ${show(size)}`, () => call({ ...base, size }));
  if ('mode' in base || flags.includes('mode')) for (const mode of badModes) add(`${entry} mode ${show(mode)}`, () => call({ ...base, mode }));
  for (const flag of flags.filter((f) => f !== 'mode')) {
    for (const value of badBooleans) add(`${entry} ${flag} ${show(value)}`, () => call({ ...base, [flag]: value }));
  }
  for (const arena of [null, 1, {}, arenaLike, Arena, nullProto]) add(`${entry} arena ${show(arena)}`, () => call({ ...base, arena }));
  for (const unknown of ['timeout', 'Size', 'readonly', '__proto__x', 'constructor']) {
    add(`${entry} unknown option ${unknown}`, () => call({ ...base, [unknown]: 1 }));
  }
}

// System V
for (const p of badPaths) add(`SysV.ftok path ${show(p)}`, () => SysV.ftok(p as never));
for (const proj of [...badIntegers, 256, '1', null, Symbol('j'), 10n, nullProto]) add(`SysV.ftok proj ${show(proj)}`, () => SysV.ftok('/tmp', proj as never));
add('SysV.ftok of a missing path', () => SysV.ftok(join(dir, 'missing')), ['ENOENT']);
optionCases('SysV.create', (o) => SysV.create(o as never), { key, size: SIZE }, ['exclusive', 'allowForeignOwner', 'hugetlb', 'noreserve', 'exec', 'private', 'mode']);
for (const k of badKeys) add(`SysV.create key ${show(k)}`, () => SysV.create({ key: k as never, size: SIZE }));
add('SysV.create key 0', () => SysV.create({ key: 0, size: SIZE }));
add('SysV.create without key, path or private', () => SysV.create({ size: SIZE }));
add('SysV.create with key and path', () => SysV.create({ key, path: '/tmp', size: SIZE }));
add('SysV.create with private and key', () => SysV.create({ key, private: true, size: SIZE }));
add('SysV.create proj without path', () => SysV.create({ key, proj: 1, size: SIZE }));
for (const p of badPaths.filter((v) => v !== undefined)) add(`SysV.create path ${show(p)}`, () => SysV.create({ path: p as never, size: SIZE }));
add('SysV.create huge size', () => SysV.create({ key, size: 2 ** 52 }), ['EINVAL', 'ENOSPC', 'ENOMEM']);
const badTargets: unknown[] = [
  ...notObjects, undefined, {}, { key: 0 }, { key, id: 1 }, { proj: 1 }, { path: '/tmp', key }, { bogus: 1 },
  ...badKeys.map((k) => ({ key: k })), ...[...badIntegers, 2 ** 31, '1', null, Symbol('i')].map((id) => ({ id })),
  ...badPaths.filter((p) => p !== undefined).map((p) => ({ path: p })), { path: '/tmp', proj: 256 },
];
for (const t of badTargets) {
  add(`SysV.open target ${show(t)}`, () => SysV.open(t as never));
  add(`SysV.stat target ${show(t)}`, () => SysV.stat(t as never));
  add(`SysV.remove target ${show(t)}`, () => SysV.remove(t as never));
  add(`SysV.lock target ${show(t)}`, () => SysV.lock(t as never));
  add(`SysV.set target ${show(t)}`, () => SysV.set(t as never, { mode: 0o600 }));
}
for (const o of notObjects) add(`SysV.open options ${show(o)}`, () => SysV.open({ key }, o as never));
for (const o of [{ readOnly: 1 }, { exec: 'yes' }, { arena: {} }, { exclusive: true }, { timeoutMs: 5 }]) {
  add(`SysV.open options ${show(o)}`, () => SysV.open({ key }, o as never));
}
for (const c of [...notObjects, { mode: 0o1000 }, { mode: '600' }, { uid: -1 }, { uid: 2 ** 32 }, { gid: 1.5 }, { owner: 0 }]) {
  add(`SysV.set changes ${show(c)}`, () => SysV.set({ key }, c as never));
}
for (const locked of [1, 'yes', null, Symbol('l')]) add(`SysV.lock locked ${show(locked)}`, () => SysV.lock({ key }, locked as never));
add('SysV.open of a missing key', () => SysV.open({ key }), ['ENOENT']);

// POSIX
for (const n of badNames) {
  add(`Posix.create name ${show(n)}`, () => Posix.create(n as never, { size: SIZE }));
  add(`Posix.open name ${show(n)}`, () => Posix.open(n as never));
  add(`Posix.remove name ${show(n)}`, () => Posix.remove(n as never));
  add(`Posix.stat name ${show(n)}`, () => Posix.stat(n as never));
}
optionCases('Posix.create', (o) => Posix.create(name, o as never), { size: SIZE }, ['exclusive', 'truncate', 'allowForeignOwner', 'mode']);
add('Posix.create huge size', () => Posix.create(name, { size: 2 ** 52 }), ['ENOSPC', 'EFBIG', 'EINVAL']);
for (const o of notObjects) add(`Posix.open options ${show(o)}`, () => Posix.open(name, o as never));
for (const size of badSizes.filter((s) => s !== undefined)) add(`Posix.open size ${show(size)}`, () => Posix.open(name, { size: size as never }));
for (const o of [{ readOnly: 1 }, { noreserve: 'no' }, { arena: arenaLike }, { exclusive: true }, { create: true }]) {
  add(`Posix.open options ${show(o)}`, () => Posix.open(name, o as never));
}
add('Posix.open of a missing name', () => Posix.open(name), ['ENOENT']);
add('Posix.remove of a missing name', () => Posix.remove(name), ['ENOENT']);

// memfd
optionCases('Memfd.create', (o) => Memfd.create(o as never), { size: SIZE }, ['hugetlb']);
for (const label of [1, 10n, Symbol('m'), null, [], 'a/b', 'a\0b', 'x'.repeat(250), nullProto]) {
  add(`Memfd.create name ${show(label)}`, () => Memfd.create({ size: SIZE, name: label as never }));
}
for (const fd of badFds) add(`Memfd.fromFd fd ${show(fd)}`, () => Memfd.fromFd(fd as never));
add('Memfd.fromFd of a descriptor that is not open', () => Memfd.fromFd(2 ** 31 - 1), ['EBADF']);
for (const o of [...notObjects, { readOnly: 1 }, { size: -1 }, { size: NaN }, { noreserve: 1 }, { arena: 5 }, { create: true }]) {
  add(`Memfd.fromFd options ${show(o)}`, () => Memfd.fromFd(0, o as never));
}

// Files
for (const p of badPaths) add(`MappedFile.open path ${show(p)}`, () => MappedFile.open(p as never));
optionCases('MappedFile.open', (o) => MappedFile.open(path, o as never), { create: true, size: SIZE }, ['create', 'exclusive', 'allowForeignOwner', 'readOnly', 'noreserve', 'mode']);
add('MappedFile.open create without size', () => MappedFile.open(path, { create: true }));
add('MappedFile.open create and readOnly', () => MappedFile.open(path, { create: true, size: SIZE, readOnly: true }));
add('MappedFile.open exclusive without create', () => MappedFile.open(path, { exclusive: true }));
add('MappedFile.open allowForeignOwner without create', () => MappedFile.open(path, { allowForeignOwner: true }));
add('MappedFile.open of a missing file', () => MappedFile.open(path), ['ENOENT']);
add('MappedFile.open of a directory', () => MappedFile.open(dir), ['EISDIR']);

// openOrCreate
for (const o of [undefined, ...notObjects]) add(`openOrCreate options ${show(o)}`, () => openOrCreate(o as never));
for (const kind of [undefined, null, 'nope', 'POSIX', 1, Symbol('k'), 10n, [], {}, 'toString', '__proto__']) {
  add(`openOrCreate kind ${show(kind)}`, () => openOrCreate({ kind, name, size: SIZE } as never));
}
const kinds: Array<[string, Record<string, unknown>]> = [
  ['posix', { kind: 'posix', name, size: SIZE }],
  ['sysv', { kind: 'sysv', key, size: SIZE }],
  ['file', { kind: 'file', path, size: SIZE }],
  ['memfd', { kind: 'memfd', size: SIZE }],
];
for (const [kind, base] of kinds) {
  const entry = `openOrCreate ${kind}`;
  for (const size of badSizes) add(`${entry} size ${show(size)}`, () => openOrCreate({ ...base, size } as never));
  for (const slots of [...notNumbers.filter((v) => v !== undefined), ...badIntegers, 0, 65537]) {
    add(`${entry} directorySlots ${show(slots)}`, () => openOrCreate({ ...base, directorySlots: slots } as never));
  }
  for (const t of [...notNumbers.filter((v) => v !== undefined), NaN, -1, -Infinity]) {
    add(`${entry} timeoutMs ${show(t)}`, () => openOrCreate({ ...base, timeoutMs: t } as never));
  }
  for (const arena of [null, 1, {}, arenaLike]) add(`${entry} arena ${show(arena)}`, () => openOrCreate({ ...base, arena } as never));
  for (const unknown of ['timeout', 'directory_slots', 'readOnly', 'truncate', ...(kind === 'posix' ? ['key', 'path'] : ['name'].filter(() => kind !== 'memfd'))]) {
    add(`${entry} unknown option ${unknown}`, () => openOrCreate({ ...base, [unknown]: 1 } as never));
  }
  if (kind === 'memfd') {
    for (const o of ['exclusive', 'mode', 'allowForeignOwner']) add(`${entry} ${o} (does not apply)`, () => openOrCreate({ ...base, [o]: o === 'mode' ? 0o600 : true } as never));
    for (const label of [1, 'a/b', 'a\0b']) add(`${entry} name ${show(label)}`, () => openOrCreate({ ...base, name: label } as never));
  } else {
    for (const mode of badModes) add(`${entry} mode ${show(mode)}`, () => openOrCreate({ ...base, mode } as never));
    for (const flag of ['exclusive', 'allowForeignOwner']) {
      for (const value of badBooleans) add(`${entry} ${flag} ${show(value)}`, () => openOrCreate({ ...base, [flag]: value } as never));
    }
  }
}
for (const n of badNames) add(`openOrCreate posix name ${show(n)}`, () => openOrCreate({ kind: 'posix', name: n, size: SIZE } as never));
for (const k of badKeys) add(`openOrCreate sysv key ${show(k)}`, () => openOrCreate({ kind: 'sysv', key: k, size: SIZE } as never));
for (const p of badPaths) add(`openOrCreate file path ${show(p)}`, () => openOrCreate({ kind: 'file', path: p, size: SIZE } as never));

// ---------------------------------------------------------------------------

/** What a call could leave behind: POSIX names, this process's SysV segments, descriptors, arena bytes. */
function traces(): { posix: string[]; sysv: number[]; fds: number; arena: number } {
  const ours = /^shmkit-test-(\d+)-/;
  return {
    // Other suites may run beside this one: their objects are not ours to count.
    posix: readdirSync('/dev/shm').filter((n) => { const m = ours.exec(n); return !m || Number(m[1]) === process.pid; }).sort(),
    sysv: SysV.list().filter((s) => s.cpid === process.pid).map((s) => s.id).sort(),
    fds: readdirSync('/proc/self/fd').length,
    arena: Arena.default.usedBytes,
  };
}

args(`${cases.length} hostile calls: each a ShmError with its code, nothing left behind`, () => {
  void Arena.default.usedBytes; // made before the first snapshot, so its own descriptors (if any) are not counted
  const problems: string[] = [];
  for (const { label, call, codes = ['EINVAL'] } of cases) {
    const before = traces();
    try {
      const made = call() as { close?(): void } | undefined;
      made?.close?.();
      problems.push(`${label}: accepted`);
    } catch (error) {
      if (!(error instanceof ShmError)) problems.push(`${label}: ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
      else if (!codes.includes(error.code)) problems.push(`${label}: ${error.code} (wanted ${codes.join(' or ')}): ${error.message}`);
      else if (error.code === 'EINVAL' && !error.message) problems.push(`${label}: EINVAL without a message`);
    }
    const after = traces();
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      problems.push(`${label}: left behind ${JSON.stringify({ before, after })}`);
      // Undo it, so the next case starts clean and is judged on its own.
      for (const n of after.posix.filter((n) => !before.posix.includes(n))) libc.shm_unlink('/' + n);
      for (const id of after.sysv.filter((id) => !before.sysv.includes(id))) libc.shmctl(id, IPC_RMID, null);
    }
  }
  assert.equal(problems, []);
});

args('an unknown option is named in the message, with the known ones', () => {
  const error = (() => { try { openOrCreate({ kind: 'posix', name, size: SIZE, timeout: 5 } as never); } catch (e) { return e as ShmError; } })()!;
  assert.instance(error, ShmError);
  assert.is(error.code, 'EINVAL');
  assert.match(error.message, /'timeout'/);
  assert.match(error.message, /timeoutMs/);
});

args('Memfd.fromFd refuses descriptors of things that are not memfds (EINVAL), leaving them open', () => {
  const fileFd = openSync(join(dir, 'plain'), 'w+');
  const posixName = trackPosix(freshName('notmemfd'));
  const seg = Posix.create(posixName, { size: SIZE });
  try {
    for (const fd of [0, fileFd, seg.fd]) {
      try {
        Memfd.fromFd(fd);
        assert.unreachable(`fd ${fd} was accepted`);
      } catch (error) {
        assert.instance(error, ShmError);
        assert.is((error as ShmError).code, 'EINVAL');
        assert.match((error as ShmError).message, /not a memfd/);
      }
    }
  } finally {
    closeSync(fileFd); // throws if a refusal had closed it
    seg.close();
  }
});

args('methods of an open segment check their arguments too', () => {
  const m = Memfd.create({ size: SIZE });
  const sysv = SysV.create({ private: true, size: SIZE });
  try {
    const calls: Array<[string, () => unknown]> = [
      ["flush('bogus')", () => m.flush('bogus' as never)],
      ['flush(sync, 1)', () => m.flush('sync', 1 as never)],
      ['flush(Symbol)', () => m.flush(Symbol('f') as never)],
      ['set(null)', () => m.set(null as never)],
      ['set({ mode: "600" })', () => m.set({ mode: '600' as never })],
      ['set({ owner: 0 })', () => m.set({ owner: 0 } as never)],
      ["sysv.lock('yes')", () => sysv.lock('yes' as never)],
      ['sysv.set({ uid: -1 })', () => sysv.set({ uid: -1 })],
    ];
    for (const [label, call] of calls) {
      try {
        call();
        assert.unreachable(`${label} was accepted`);
      } catch (error) {
        assert.instance(error, ShmError, label);
        assert.is((error as ShmError).code, 'EINVAL', label);
      }
    }
  } finally {
    m.close();
    sysv.remove();
    sysv.close();
  }
});

args.run();
