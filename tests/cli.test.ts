// The CLI as a user runs it: the built dist/cli.cjs in its own process.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Posix, SysV, openOrCreate, struct } from '../host/index.js';
import { compileC } from './helpers/gcc.js';
import { ROOT, run, runCli } from './helpers/processes.js';
import { cleanup, freshKey, freshName, trackPath, trackPosix, trackSysV } from './helpers/resources.js';

const hex = (key: number) => '0x' + key.toString(16).padStart(8, '0');

/** Rows of /proc/sysvipc/shm keyed by shmid. */
function procShm(): Map<number, Record<string, number>> {
  const [header, ...lines] = readFileSync('/proc/sysvipc/shm', 'utf8').trim().split('\n');
  const names = header!.trim().split(/\s+/);
  const rows = new Map<number, Record<string, number>>();
  for (const line of lines) {
    const cells = line.trim().split(/\s+/).map(Number);
    const row = Object.fromEntries(names.map((n, i) => [n, cells[i]!]));
    rows.set(row.shmid!, row);
  }
  return rows;
}

const cli = suite('cli');
cli.after.each(cleanup);

cli('create sysv --key, write, verify, stat --json, rm', async () => {
  const key = freshKey();
  const made = await runCli(['create', 'sysv', '--key', hex(key), '--size', '96K', '--mode', '0640', '--exclusive']);
  assert.is(made.code, 0, made.stderr);
  const id = trackSysV(SysV.stat({ key }).id);
  assert.match(made.stdout, `id ${id}`);

  assert.is((await runCli(['write', '--key', hex(key), '--pattern', 'mod256'])).code, 0);
  const ok = await runCli(['verify', '--id', String(id), '--pattern', 'mod256']);
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, 'verified 98304 bytes');

  const stat = JSON.parse((await runCli(['stat', '--key', String(key), '--json'])).stdout);
  assert.is(stat.kind, 'sysv');
  assert.is(stat.id, id);
  assert.is(stat.key, hex(key));
  assert.is(stat.size, '98304');
  assert.is(stat.mode, '0640');
  assert.is(stat.nattch, '0');

  // Break one byte through the API; verify must name that offset and exit 1.
  using seg = SysV.open({ id });
  seg.bytes[70000] ^= 0xff;
  const bad = await runCli(['verify', '--id', String(id)]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, 'offset 70000');

  const removed = await runCli(['rm', '--key', hex(key)]);
  assert.is(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, 'still attached 1×');
  assert.ok(SysV.stat({ id }).removed);
});

cli('create sysv by --path/--proj (proj 0 too) uses the ftok key', async () => {
  for (const proj of [0, 7]) {
    const made = await runCli(['create', 'sysv', '--path', '/tmp', '--proj', String(proj), '--size', '4096', '--exclusive']);
    assert.is(made.code, 0, made.stderr);
    const key = SysV.ftok('/tmp', proj);
    trackSysV(SysV.stat({ key }).id);
    assert.match(made.stdout, hex(key));
    const stat = JSON.parse((await runCli(['stat', '--path', '/tmp', '--proj', String(proj), '--json'])).stdout);
    assert.is(stat.key, hex(key));
  }
});

cli('create sysv --private makes a new segment each time', async () => {
  const ids = [];
  for (let i = 0; i < 2; i++) {
    const made = await runCli(['create', 'sysv', '--private', '--size', '4096']);
    assert.is(made.code, 0, made.stderr);
    ids.push(trackSysV(Number(/id (\d+)/.exec(made.stdout)![1])));
  }
  assert.is.not(ids[0], ids[1]);
  for (const id of ids) assert.is(SysV.stat({ id }).key, 0);
});

cli('ls --json lists both kinds with the documented fields, matching /proc/sysvipc/shm', async () => {
  const seg = SysV.create({ key: freshKey(), size: 12345, mode: 0o604 });
  trackSysV(seg.id);
  const name = trackPosix(freshName('ls'));
  Posix.create(name, { size: 777 }).close();
  const result = await runCli(['ls', '--json']);
  assert.is(result.code, 0, result.stderr);
  const entries = JSON.parse(result.stdout) as Record<string, unknown>[];
  const fields = ['kind', 'key', 'id', 'name', 'size', 'mode', 'uid', 'gid', 'nattch', 'cpid', 'lpid', 'atime', 'dtime', 'ctime'];
  for (const entry of entries) for (const field of fields) assert.ok(field in entry, `${field} missing`);

  const proc = procShm();
  const sysv = entries.filter((e) => e.kind === 'sysv');
  assert.equal(new Set(sysv.map((e) => e.id)), new Set(proc.keys()));
  for (const e of sysv) {
    const row = proc.get(e.id as number)!;
    assert.is(e.key, hex(row.key! >>> 0));
    assert.is(e.size, String(row.size));
    assert.is(e.mode, '0' + String(row.perms % 1000).padStart(3, '0')); // the file prints the octal digits (and status bits above them)
    assert.is(e.nattch, String(row.nattch));
    assert.is(e.cpid, row.cpid);
    assert.is(e.uid, row.uid);
  }
  const mine = sysv.find((e) => e.id === seg.id)!;
  assert.is(mine.nattch, '1');
  assert.is(mine.cpid, process.pid);
  assert.is(mine.mode, '0604');
  const posix = entries.find((e) => e.name === name)!;
  assert.is(posix.kind, 'posix');
  assert.is(posix.size, '777');
  assert.is(posix.key, null);
  seg.close();
});

cli('ls prints a table of SysV segments and POSIX objects', async () => {
  const key = freshKey();
  const seg = SysV.create({ key, size: 4096 });
  trackSysV(seg.id);
  const name = trackPosix(freshName('table'));
  Posix.create(name, { size: 100 }).close();
  const result = await runCli(['ls']);
  assert.is(result.code, 0);
  assert.match(result.stdout, new RegExp(`${hex(key)}\\s+${seg.id}\\s+root\\s+0600\\s+4096\\s+1`));
  assert.match(result.stdout, new RegExp(`${name}\\s+root\\s+0600\\s+100`));
  seg.close();
});

cli('posix: create, write, verify, dump matches xxd of /dev/shm, stat, rm', async () => {
  const name = trackPosix(freshName('cli'));
  assert.is((await runCli(['create', 'posix', name, '--size', '1000', '--exclusive'])).code, 0);
  assert.is((await runCli(['write', name])).code, 0);
  assert.is((await runCli(['verify', name])).code, 0);
  const dump = await runCli(['dump', name, '--offset', '250', '--length', '40']);
  const xxd = await run('xxd', ['-s', '250', '-l', '40', `/dev/shm${name}`]);
  assert.is(dump.stdout, xxd.stdout);
  const stat = JSON.parse((await runCli(['stat', name, '--json'])).stdout);
  assert.is(stat.size, '1000');
  assert.is(stat.mode, '0600');
  assert.is((await runCli(['rm', name])).code, 0);
  assert.throws(() => Posix.stat(name), (e: Error & { code: string }) => e.code === 'ENOENT');
});

cli('info --json agrees with /proc/sys/kernel', async () => {
  const info = JSON.parse((await runCli(['info', '--json'])).stdout);
  const read = (file: string) => readFileSync(`/proc/sys/kernel/${file}`, 'utf8').trim();
  assert.is(info.sysv.limits.shmmax, read('shmmax')); // past 2^53 by default: exact only as a string
  assert.is(info.sysv.limits.shmall, read('shmall'));
  assert.is(info.sysv.limits.shmmni, read('shmmni'));
  assert.is(info.sysv.usage.usedIds, procShm().size);
  assert.is(info.pageSize, '4096');
});

cli('a failure is one line on stderr naming the errno code, exit 1, without a stack', async () => {
  const key = freshKey();
  trackSysV(SysV.create({ key, size: 4096 }).id);
  const cases: [string[], string][] = [
    [['create', 'sysv', '--key', hex(key), '--size', '4096', '--exclusive'], 'EEXIST'],
    [['stat', '--key', hex(freshKey())], 'ENOENT'],
    [['verify', '/shmkit-no-such-object'], 'ENOENT'],
  ];
  for (const [args, code] of cases) {
    const result = await runCli(args);
    assert.is(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
    assert.is(result.stdout, '');
    const lines = result.stderr.trim().split('\n');
    assert.is(lines.length, 1, result.stderr);
    assert.match(lines[0]!, `shmkit: ${code}:`);
    assert.not.match(result.stderr, '    at ');
  }
});

cli('a usage error names the command and the flag, shows its usage on stderr, exit 2', async () => {
  const cases: [string[], string, string][] = [
    [['create', 'posix', 'no-slash', '--size', '10'], 'create', "must start with '/'"],
    [['create', 'sysv', '--private', '--size', 'lots'], 'create', "--size must be a number of bytes like 4096, 0x1000, 64K or 1M"],
    [['create', 'sysv', '--private', '--size', '10', '--mode', '999'], 'create', '--mode must be octal'],
    [['create', 'sysv', '--private'], 'create', 'needs --size SIZE'],
    [['create', 'sysv', '--private', '--size'], 'create', '--size needs a value'],
    [['stat', '--key', '1', '--id', '2'], 'stat', 'give exactly one target'],
    [['stat', '--id', '-1'], 'stat', '--id must be from 0 to 2147483647'],
    [['ls', '--size', '1'], 'list', 'unknown option --size'],
    [['ls', '--json', '--json'], 'list', '--json is given twice'],
    [['verify', '/x', '--pattern', 'zeros'], 'verify', "unknown --pattern 'zeros'"],
  ];
  for (const [args, command, message] of cases) {
    const result = await runCli(args);
    assert.is(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.is(result.stdout, '');
    const [first, ...rest] = result.stderr.trim().split('\n');
    assert.match(first!, `shmkit ${command}: `);
    assert.match(first!, message);
    assert.match(rest[0]!, /^usage: shmkit /);
    assert.match(rest.at(-1)!, `shmkit help ${command}`);
    assert.not.match(result.stderr, '    at ');
  }
});

cli('codegen prints a C header gcc accepts for the struct types a module exports', async () => {
  const dir = trackPath(mkdtempSync(join(tmpdir(), 'shmkit-codegen-')));
  // The schema imports 'shmkit' like a user's would (the package resolves to itself).
  const schema = join(ROOT, `.codegen-${process.pid}.mjs`);
  trackPath(schema);
  writeFileSync(schema, [
    "import { struct, string, array, enumOf } from 'shmkit';",
    "export const Point = struct('Point', { x: 'f64', y: 'f64' });",
    "export const Track = struct('Track', { id: 'u32', name: string(24), points: array(Point, 4), kind: enumOf('TrackKind', { Walk: 1, Run: 2 }, 'u8') });",
    'export const notAType = 42;',
  ].join('\n'));
  const out = join(dir, 'track.h');
  const made = await runCli(['codegen', schema, '--out', out]);
  assert.is(made.code, 0, made.stderr);
  assert.match(made.stdout, 'wrote 2 structs');
  const header = readFileSync(out, 'utf8');
  assert.match(header, 'struct Track {');
  assert.match(header, 'struct Point points[4];');
  const binary = compileC('#include "track.h"\n#include <stdio.h>\nint main(void) { printf("%zu\\n", sizeof(struct Track)); return 0; }\n', 'codegen', { 'track.h': header });
  assert.is((await run(binary, [])).stdout.trim(), '104'); // 4 + 24, pad to 32, 4 × 16, 1, pad to 104
  const notModule = await runCli(['codegen', join(ROOT, 'package.json')]);
  assert.is(notModule.code, 2);
  assert.match(notModule.stderr, 'give a .js, .mjs or .ts file');
});

cli('codegen loads a TypeScript schema through the project\'s tsx', async () => {
  const dir = trackPath(mkdtempSync(join(tmpdir(), 'shmkit-codegen-ts-')));
  // In the package, where tsx is installed (as it would be in a user's project).
  const schema = trackPath(join(ROOT, `.codegen-${process.pid}.ts`));
  writeFileSync(schema, [
    "import { struct, string, type StructType } from 'shmkit';",
    'interface Described { note: string }',
    "const fields = { id: 'u32', text: string(12) } as const;",
    "export const Label: StructType = struct('Label', fields);",
    "export const about: Described = { note: 'not a struct' };",
  ].join('\n'));
  const out = join(dir, 'label.h');
  const made = await runCli(['codegen', schema, '--out', out, '--json']);
  assert.is(made.code, 0, made.stderr);
  assert.equal(JSON.parse(made.stdout), { out, structs: ['Label'] });
  const binary = compileC('#include "label.h"\n#include <stdio.h>\nint main(void) { printf("%zu\\n", sizeof(struct Label)); return 0; }\n', 'codegen-ts', { 'label.h': readFileSync(out, 'utf8') });
  assert.is((await run(binary, [])).stdout.trim(), '16');

  // Outside any project with tsx: a message that says what to do.
  const lonely = join(dir, 'schema.ts');
  writeFileSync(lonely, "export const x: number = 1;\n");
  const refused = await runCli(['codegen', lonely], { cwd: dir });
  assert.is(refused.code, 1);
  assert.match(refused.stderr, 'shmkit: ENOENT:');
  assert.match(refused.stderr, 'npm install --save-dev tsx');
  assert.match(refused.stderr, 'or pass the schema as a .js or .mjs module');
  assert.not.match(refused.stderr, 'Unknown file extension');
});

cli('objects lists the directory of a formatted segment', async () => {
  const name = trackPosix(freshName('objects'));
  using m = openOrCreate({ kind: 'posix', name, size: 1 << 16 });
  m.create('readings', { table: struct('Reading', { t: 'f64', v: 'f32' }), count: 10 });
  m.create('raw', { bytes: 100 });
  const listed = await runCli(['objects', name]);
  assert.is(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`formatted by pid ${process.pid}, 2 objects`));
  assert.match(listed.stdout, /readings\s+table\s+\d+\s+160\s+64\s+10/);
  const json = JSON.parse((await runCli(['objects', name, '--json'])).stdout);
  assert.equal(json.objects.map((o: { name: string }) => o.name), ['readings', 'raw']);
  const plain = trackPosix(freshName('plain'));
  Posix.create(plain, { size: 4096 }).close();
  const refused = await runCli(['objects', plain]);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, 'EACCES');
});

cli.run();
