// Stable JSON: each field of each command's --json has one type whatever its
// value (64-bit values and byte counts are decimal strings, keys, modes and
// hashes the strings the text shows), and the API's results that carry
// bigints turn into the same decimal strings under JSON.stringify.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Memfd, Posix, SysV, openOrCreate, struct } from '../host/index.js';
import { listAll } from '../host/api/list.js';
import { runCli } from './helpers/processes.js';
import { cleanup, freshKey, freshName, trackPosix, trackSysV } from './helpers/resources.js';

const hex = (key: number) => '0x' + key.toString(16).padStart(8, '0');

// A field's allowed JSON types; 'decimal', 'key', 'mode', 'hash' and 'date' are strings of that form.
type Kind = 'number' | 'boolean' | 'string' | 'decimal' | 'key' | 'mode' | 'hash' | 'date' | 'null' | 'pids';
const FORMS: Partial<Record<Kind, RegExp>> = {
  decimal: /^\d+$/,
  key: /^0x[0-9a-f]{8}$/,
  mode: /^0[0-7]{3}$/,
  hash: /^0x[0-9a-f]{16}$/,
  date: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
};

function kindOf(value: unknown, allowed: Kind[]): Kind | undefined {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.every((pid) => Number.isInteger(pid) && pid > 0) ? 'pids' : undefined;
  if (typeof value === 'number') return Number.isInteger(value) ? 'number' : undefined;
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value !== 'string') return undefined;
  return allowed.find((kind) => FORMS[kind]?.test(value)) ?? 'string';
}

/** Every field is there, has one of its allowed types, and nothing else is. */
function assertShape(value: Record<string, unknown>, shape: Record<string, Kind[]>, what: string): void {
  assert.equal(Object.keys(value).sort(), Object.keys(shape).sort(), `${what}: fields`);
  for (const [field, allowed] of Object.entries(shape)) {
    const kind = kindOf(value[field], allowed);
    assert.ok(kind !== undefined && allowed.includes(kind), `${what}.${field} = ${JSON.stringify(value[field])}, wanted ${allowed.join(' | ')}`);
  }
}

async function json(args: string[]): Promise<Record<string, unknown>> {
  const result = await runCli([...args, '--json']);
  assert.is(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

const SYSV_STAT: Record<string, Kind[]> = {
  kind: ['string'], id: ['number'], key: ['key'], size: ['decimal'], mode: ['mode'], uid: ['number'], gid: ['number'],
  cuid: ['number'], cgid: ['number'], cpid: ['number'], lpid: ['number'], nattch: ['decimal'],
  atime: ['date', 'null'], dtime: ['date', 'null'], ctime: ['date'], removed: ['boolean'], locked: ['boolean'],
};
const POSIX_STAT: Record<string, Kind[]> = {
  kind: ['string'], name: ['string'], size: ['decimal'], mode: ['mode'], uid: ['number'], gid: ['number'],
  allocated: ['decimal'], atime: ['date'], mtime: ['date'], ctime: ['date'],
};
const LIST_ENTRY: Record<string, Kind[]> = {
  kind: ['string'], key: ['key', 'null'], id: ['number', 'null'], name: ['string', 'null'], size: ['decimal', 'null'],
  mode: ['mode'], uid: ['number'], gid: ['number'], nattch: ['decimal', 'null'], cpid: ['number', 'null'],
  lpid: ['number', 'null'], atime: ['date', 'null'], dtime: ['date', 'null'], ctime: ['date', 'null'],
  removed: ['boolean'], locked: ['boolean'], nsems: ['number', 'null'], value: ['number', 'null'], otime: ['date', 'null'],
  format: ['string', 'null'], users: ['pids', 'null'], orphaned: ['boolean', 'null'],
};
const PATTERN_RESULT = { pattern: ['string'], size: ['decimal'] } satisfies Record<string, Kind[]>;
const SYSV_IDENTITY = { kind: ['string'], key: ['key'], id: ['number'] } satisfies Record<string, Kind[]>;

const stable = suite('cli json');
stable.after.each(cleanup);

stable('create, stat, set, write, verify and rm of a System V segment: one type per field', async () => {
  const key = freshKey();
  const made = await json(['create', 'sysv', '--key', hex(key), '--size', '96K', '--mode', '0640', '--exclusive']);
  const id = trackSysV(SysV.stat({ key }).id);
  assertShape(made, { created: ['boolean'], ...SYSV_STAT }, 'create');
  assert.is(made.created, true);
  assert.is(made.key, hex(key));
  assert.is(made.id, id);
  assert.is(made.size, '98304');
  assert.is(made.mode, '0640');

  const stat = await json(['stat', '--id', String(id)]);
  assertShape(stat, SYSV_STAT, 'stat');
  assert.is(stat.nattch, '0');

  const changed = await json(['set', '--id', String(id), '--mode', '600']);
  assertShape(changed, SYSV_STAT, 'set');
  assert.is(changed.mode, '0600');
  assert.is(SysV.stat({ id }).mode, 0o600);

  const written = await json(['write', '--key', hex(key)]);
  assertShape(written, { ...SYSV_IDENTITY, ...PATTERN_RESULT }, 'write');
  const verified = await json(['verify', '--key', hex(key)]);
  const VERIFY = { ...SYSV_IDENTITY, ...PATTERN_RESULT, ok: ['boolean'], offset: ['decimal', 'null'], expected: ['number', 'null'], found: ['number', 'null'] } satisfies Record<string, Kind[]>;
  assertShape(verified, VERIFY, 'verify');
  assert.equal([verified.ok, verified.offset, verified.expected, verified.found], [true, null, null, null]);

  {
    using seg = SysV.open({ id });
    seg.bytes[70000] = 0;
  }
  const bad = await runCli(['verify', '--key', hex(key), '--json']);
  assert.is(bad.code, 1);
  const failed = JSON.parse(bad.stdout) as Record<string, unknown>;
  assertShape(failed, VERIFY, 'verify (failed)');
  assert.equal([failed.ok, failed.offset, failed.expected, failed.found], [false, '70000', 70000 & 255, 0]);
  assert.match(bad.stderr, 'differs at offset 70000'); // the person still reads why

  const removed = await json(['rm', '--id', String(id)]);
  assertShape(removed, { ...SYSV_IDENTITY, size: ['decimal'], nattch: ['decimal'], stillAttached: ['boolean'] }, 'rm');
  assert.is(removed.stillAttached, false);
  assert.throws(() => SysV.stat({ id }), (e: Error & { code: string }) => e.code === 'EINVAL' || e.code === 'EIDRM');
});

stable('create, stat and rm of a POSIX object: one type per field', async () => {
  const name = trackPosix(freshName('json'));
  const made = await json(['create', 'posix', name, '--size', '10000']);
  assertShape(made, { created: ['boolean'], ...POSIX_STAT }, 'create posix');
  assert.is(made.size, '10000');
  assertShape(await json(['stat', name]), POSIX_STAT, 'stat posix');
  assertShape(await json(['set', name, '--mode', '0640']), POSIX_STAT, 'set posix');
  const removed = await json(['rm', name]);
  assertShape(removed, { kind: ['string'], name: ['string'], size: ['decimal'] }, 'rm posix');
});

stable('ls --json: every entry has every field, each with one type', async () => {
  trackSysV(SysV.create({ key: freshKey(), size: 5000 }).id);
  const name = trackPosix(freshName('ls-json'));
  Posix.create(name, { size: 300 }).close();
  const entries = JSON.parse((await runCli(['ls', '--json'])).stdout) as Record<string, unknown>[];
  assert.ok(entries.some((e) => e.kind === 'sysv') && entries.some((e) => e.kind === 'posix'));
  for (const entry of entries) assertShape(entry, LIST_ENTRY, `ls entry ${String(entry.name ?? entry.key)}`);
});

stable('info --json: the kernel limits as exact decimal strings, past 2^53 too', async () => {
  const info = await json(['info']);
  const limits = (info.sysv as Record<string, Record<string, unknown>>).limits!;
  const usage = (info.sysv as Record<string, Record<string, unknown>>).usage!;
  assertShape(limits, { shmmax: ['decimal'], shmmin: ['decimal'], shmmni: ['decimal'], shmseg: ['decimal'], shmall: ['decimal'] }, 'limits');
  assertShape(usage, { usedIds: ['number'], totalPages: ['decimal'], residentPages: ['decimal'], swappedPages: ['decimal'] }, 'usage');
  assert.is(limits.shmmax, readFileSync('/proc/sys/kernel/shmmax', 'utf8').trim());
  assertShape(info.posix as Record<string, unknown>, { directory: ['string'], totalBytes: ['decimal'], freeBytes: ['decimal'] }, 'posix');
  assert.is(info.pageSize, '4096');
});

stable('objects --json: offsets and sizes as decimal strings, layout hashes as the 0x… of the text', async () => {
  const name = trackPosix(freshName('objects-json'));
  using m = openOrCreate({ kind: 'posix', name, size: 1 << 16 });
  m.create('readings', { table: struct('JsonReading', { t: 'f64', v: 'f32' }), count: 10 });
  m.create('raw', { bytes: 100 });
  const listed = await json(['objects', name]);
  assert.is(listed.creatorPid, process.pid);
  const objects = listed.objects as Record<string, unknown>[];
  const OBJECT = {
    name: ['string'], kind: ['string'], offset: ['decimal'], size: ['decimal'], align: ['number'],
    layoutHash: ['hash', 'null'], layout: ['string', 'null'], count: ['number'],
  } satisfies Record<string, Kind[]>;
  for (const object of objects) assertShape(object, OBJECT, `object ${String(object.name)}`);
  const [readings, raw] = objects;
  assert.is(readings!.size, '160');
  const hash = m.list().find((o) => o.name === 'readings')!.layoutHash;
  assert.is(readings!.layoutHash, '0x' + hash.toString(16).padStart(16, '0'));
  assert.match((await runCli(['objects', name])).stdout, readings!.layoutHash as string);
  assert.is(raw!.layoutHash, null);
});

stable('JSON.stringify of API results writes bigints as decimal strings; spreads and keys see only the fields', () => {
  const key = freshKey();
  using seg = SysV.create({ key, size: 12345 });
  trackSysV(seg.id);
  const stat = seg.stat();
  const plain = JSON.parse(JSON.stringify(stat)) as Record<string, unknown>;
  assert.is(plain.size, '12345');
  assert.is(plain.nattch, '1');
  assert.is(plain.mode, 0o600);
  assert.is(plain.ctime, stat.ctime!.toISOString());
  assert.not.ok(Object.keys(stat).includes('toJSON'));
  assert.equal(Object.keys(plain), Object.keys(stat));
  assert.is({ ...stat }.size, 12345n);
  assert.is(JSON.parse(JSON.stringify(SysV.stat({ key }))).size, '12345');

  const limits = JSON.parse(JSON.stringify(SysV.limits())) as Record<string, unknown>;
  assert.is(limits.shmmax, readFileSync('/proc/sys/kernel/shmmax', 'utf8').trim());
  assert.is(typeof JSON.parse(JSON.stringify(SysV.usage())).totalPages, 'string');

  const name = trackPosix(freshName('tojson'));
  using posix = Posix.create(name, { size: 777 });
  assert.is(JSON.parse(JSON.stringify(Posix.stat(name))).size, '777');
  assert.is(JSON.parse(JSON.stringify(posix.stat())).allocated, String(posix.stat().allocated));
  using memfd = Memfd.create({ size: 4096 });
  assert.is(JSON.parse(JSON.stringify(memfd.stat())).size, '4096');

  const entries = JSON.parse(JSON.stringify(listAll())) as Record<string, unknown>[];
  const mine = entries.find((e) => e.id === seg.id)!;
  assert.is(mine.size, '12345');
  assert.is(mine.nattch, '1');
  assert.is(entries.find((e) => e.name === name)!.size, '777');
});

stable.run();
