// The CLI behaves as command-line tools do: --version, help per command,
// suggestions for slips, stdout for output and stderr for the rest, exit 2 for
// usage, sizes with suffixes, messages in flags, a quiet end when the reader
// of its output goes away. Run as a user runs it: the built bin in its own process.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Posix, SysV } from '../host/index.js';
import { CLI, ROOT, runCli } from './helpers/processes.js';
import { cleanup, freshKey, freshName, trackPosix, trackSysV } from './helpers/resources.js';

const hex = (key: number) => '0x' + key.toString(16).padStart(8, '0');
// How the API words its options; none of it may reach a CLI user.
const API_WORDING = /\w+: (true|false)\b|\(\{|0o[0-7]|allowForeignOwner|exclusive: /;

const conventions = suite('cli conventions');
conventions.after.each(cleanup);

conventions('--version and -V print the package version on stdout', async () => {
  const { version } = JSON.parse(readFileSync(ROOT + 'package.json', 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const result = await runCli([flag]);
    assert.is(result.code, 0, result.stderr);
    assert.is(result.stdout, `shmkit ${version}\n`);
    assert.is(result.stderr, '');
  }
});

conventions('help lists every command; each has usage, options and an example, the same from help CMD and CMD --help', async () => {
  const main = await runCli(['help']);
  assert.is(main.code, 0);
  assert.is(main.stderr, '');
  const listed = main.stdout.split('commands:\n')[1]!.split('\n\n')[0]!.split('\n').map((line) => line.trim().split(/[ ,]/)[0]!);
  assert.ok(listed.includes('list') && listed.includes('codegen'), main.stdout);
  for (const name of listed.filter((n) => n !== 'help')) {
    const viaHelp = await runCli(['help', name]);
    assert.is(viaHelp.code, 0, viaHelp.stderr);
    assert.match(viaHelp.stdout, new RegExp(`^usage: shmkit ${name === 'remove' ? 'rm' : name}`));
    assert.match(viaHelp.stdout, '\noptions:\n');
    assert.match(viaHelp.stdout, /\nexamples?:\n {2}shmkit /);
    assert.match(viaHelp.stdout, '--help');
    const viaFlag = await runCli([name, '--help']);
    assert.is(viaFlag.stdout, viaHelp.stdout);
  }
  // Help wins over a command line that would be wrong.
  const wrong = await runCli(['create', 'sysv', '--size', 'lots', '-h']);
  assert.is(wrong.code, 0);
  assert.match(wrong.stdout, 'usage: shmkit create sysv');
});

conventions('no command: the usage goes to stderr, exit 2', async () => {
  const result = await runCli([]);
  assert.is(result.code, 2);
  assert.is(result.stdout, '');
  assert.match(result.stderr, 'usage: shmkit COMMAND');
});

conventions('a slip in a command or option name gets a suggestion, exit 2', async () => {
  const cases: [string[], string][] = [
    [['lst'], "unknown command 'lst' (did you mean 'list'?)"],
    [['verfy', '/x'], "(did you mean 'verify'?)"],
    [['help', 'stats'], "(did you mean 'stat'?)"],
    [['ls', '--josn'], "unknown option --josn (did you mean '--json'?)"],
    [['create', 'sysv', '--private', '--sise', '4K'], "(did you mean '--size'?)"],
    [['dump', '/x', '--lenght', '16'], "(did you mean '--length'?)"],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args);
    assert.is(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.is(result.stdout, '');
    assert.match(result.stderr, message);
  }
  const far = await runCli(['frobnicate']);
  assert.is(far.code, 2);
  assert.not.match(far.stderr, 'did you mean');
});

conventions('sizes take K/M/G (1024s) and KB (1000s) wherever a size is asked', async () => {
  const sizes: [string, number][] = [['1K', 1024], ['1KiB', 1024], ['1KB', 1000], ['2M', 2 << 20], ['0x1000', 4096], ['1G', 1 << 30]];
  for (const [text, bytes] of sizes) {
    const key = freshKey();
    // --noreserve: a 1 GiB segment that is never touched costs nothing.
    const made = await runCli(['create', 'sysv', '--key', hex(key), '--size', text, '--noreserve', '--exclusive']);
    assert.is(made.code, 0, made.stderr);
    trackSysV(SysV.stat({ key }).id);
    assert.is(SysV.stat({ key }).size, BigInt(bytes), text);
    assert.match(made.stdout, `${bytes} bytes`);
  }
  const name = trackPosix(freshName('sizes'));
  assert.is((await runCli(['create', 'posix', name, '--size', '8K'])).code, 0);
  assert.is(Posix.stat(name).size, 8192n);
  const dump = await runCli(['dump', name, '--offset', '4K', '--length', '0x20']);
  assert.is(dump.code, 0, dump.stderr);
  assert.equal(dump.stdout.split('\n').filter(Boolean).map((line) => line.slice(0, 8)), ['00001000', '00001010']);
});

conventions('create on an existing segment reports its real size and mode, not the ones asked', async () => {
  const key = freshKey();
  trackSysV(SysV.create({ key, size: 98304, mode: 0o640 }).id);
  const again = await runCli(['create', 'sysv', '--key', hex(key), '--size', '4K', '--mode', '0644']);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /^exists: System V segment/);
  assert.match(again.stdout, '98304 bytes');
  assert.match(again.stdout, 'mode 0640');
  assert.not.match(again.stdout, '4096');
  assert.not.match(again.stdout, '0644');
  const json = JSON.parse((await runCli(['create', 'sysv', '--key', hex(key), '--size', '4K', '--mode', '0660', '--json'])).stdout);
  assert.is(json.created, false);
  assert.is(json.size, '98304');
  assert.is(json.mode, '0640');

  const name = trackPosix(freshName('existing'));
  Posix.create(name, { size: 20000, mode: 0o600 }).close();
  const posix = await runCli(['create', 'posix', name, '--size', '100']);
  assert.is(posix.code, 0, posix.stderr);
  assert.match(posix.stdout, `exists: POSIX object ${name}: 20000 bytes`);
});

conventions('errors speak flags, not option objects', async () => {
  const key = freshKey();
  const wide = trackSysV(SysV.create({ key, size: 4096, mode: 0o640 }).id);
  const foreignKey = freshKey();
  const foreign = trackSysV(SysV.create({ key: foreignKey, size: 4096 }).id);
  SysV.set({ id: foreign }, { uid: 65534 });
  const cases: [string[], number, string][] = [
    [['create', 'sysv', '--key', '0', '--size', '4096'], 2, '--private'],
    [['create', 'sysv', '--size', '4096'], 2, 'exactly one of --key K, --path P [--proj N] or --private'],
    [['create', 'sysv', '--key', '1', '--path', '/tmp', '--size', '1'], 2, '(got --key, --path)'],
    [['create', 'sysv', '--private', '--proj', '3', '--size', '1'], 2, '--proj goes with --path'],
    [['create', 'posix', '/x', '--key', '5', '--size', '1'], 2, '--key is for System V segments'],
    [['stat', '--key', '0'], 2, 'name such an object by --id'],
    [['create', 'sysv', '--key', hex(key), '--size', '4096'], 1, `Give --mode 0640 to accept it, narrow it (shmkit set --id ${wide} --mode 0600)`],
    [['create', 'sysv', '--key', hex(foreignKey), '--size', '4096'], 1, 'Give --allow-foreign-owner if that user is trusted'],
  ];
  for (const [args, exit, message] of cases) {
    const result = await runCli(args);
    assert.is(result.code, exit, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.not.match(result.stderr, API_WORDING);
  }
  const trusted = await runCli(['create', 'sysv', '--key', hex(foreignKey), '--size', '4096', '--allow-foreign-owner']);
  assert.is(trusted.code, 0, trusted.stderr);
  assert.match(trusted.stdout, `exists: System V segment key ${hex(foreignKey)} id ${foreign}`);
  assert.match(trusted.stdout, 'owner nobody');
});

conventions('a reader that closes the output early ends the command quietly (EPIPE)', async () => {
  const name = trackPosix(freshName('epipe'));
  Posix.create(name, { size: 4 << 20 }).close();
  // Like `shmkit dump … | head -1`: read a little, then close the pipe.
  const child = spawn(process.execPath, [CLI, 'dump', name, '--length', '4M'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let first = '';
  child.stdout.once('data', (chunk: Buffer) => {
    first = chunk.toString().split('\n')[0]!;
    child.stdout.destroy();
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  assert.is(first, '00000000: 0000 0000 0000 0000 0000 0000 0000 0000  ................');
  assert.is(signal, null);
  assert.is(code, 0);
  assert.is(stderr, '');
});

conventions.run();
