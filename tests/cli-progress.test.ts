// The progress bar of write and verify: on stderr, only when stderr is a
// terminal (a real pty, made by util-linux's script(1)), with a rate and the
// time left, and ending at the failing byte when a verify fails.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SysV } from '../host/index.js';
import { CLI, run, runCli, type RunResult } from './helpers/processes.js';
import { cleanup, freshKey, trackPath, trackSysV } from './helpers/resources.js';

const hex = (key: number) => '0x' + key.toString(16).padStart(8, '0');
const MiB = 1 << 20;
// Large enough for the bar (it shows from 64 MiB), in several 16 MiB steps.
const SIZE = 80 * MiB;
const BAD_OFFSET = 40 * MiB + 3;

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the CLI with stderr on a terminal and stdout in a file: script(1)
 * gives the command a pty and copies what reaches it (stderr only) to us.
 */
async function runCliOnTerminal(args: string[], stdoutFile: string): Promise<RunResult & { terminal: string; stdoutText: string }> {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ') + ` > ${quote(stdoutFile)}`;
  const result = await run('script', ['--quiet', '--return', '--command', command, '/dev/null']);
  return { ...result, terminal: result.stdout, stdoutText: readFileSync(stdoutFile, 'utf8') };
}

/** The bar's frames, in the order they were drawn. */
function frames(terminal: string): string[] {
  return terminal.split(/[\r\n]+/).map((line) => line.replace(/\x1b\[K/g, '')).filter((line) => line.includes('['));
}

const progress = suite('cli progress');
progress.after.each(cleanup);

progress('no bar when stderr is not a terminal', async () => {
  const key = freshKey();
  trackSysV(SysV.create({ key, size: SIZE }).id);
  for (const command of ['write', 'verify']) {
    const result = await runCli([command, '--key', hex(key)]);
    assert.is(result.code, 0, result.stderr);
    assert.is(result.stderr, '');
    assert.match(result.stdout, `${SIZE} bytes`);
  }
});

progress('on a terminal: a bar on stderr with rate and time left; a failed verify stops it at the bad byte', async () => {
  const key = freshKey();
  const id = trackSysV(SysV.create({ key, size: SIZE }).id);
  const out = trackPath(join(tmpdir(), `shmkit-progress-${process.pid}.out`));

  const written = await runCliOnTerminal(['write', '--key', hex(key)], out);
  assert.is(written.code, 0, written.terminal);
  assert.match(written.stdoutText, `wrote pattern mod256 over ${SIZE} bytes`);
  assert.not.match(written.stdoutText, '[');
  const writeFrames = frames(written.terminal);
  assert.ok(writeFrames.length >= SIZE / (16 * MiB), written.terminal);
  for (const frame of writeFrames.slice(0, -1)) assert.match(frame, /^write \[[#.]+\] +\d+% [\d.]+ MiB \/ 80\.0 MiB {2}[\d.]+ [KMGT]?i?B\/s {2}ETA \d+:\d\d$/);
  assert.match(writeFrames.at(-1)!, /100% 80\.0 MiB \/ 80\.0 MiB {2}[\d.]+ [KMGT]?i?B\/s {2}in [\d.]+ s$/);

  {
    using seg = SysV.open({ id });
    seg.bytes[BAD_OFFSET] ^= 0xff;
  }
  const verified = await runCliOnTerminal(['verify', '--key', hex(key)], out);
  assert.is(verified.code, 1, verified.terminal);
  assert.is(verified.stdoutText, '');
  const verifyFrames = frames(verified.terminal);
  assert.ok(verifyFrames.every((frame) => !frame.includes('100%')), verified.terminal);
  assert.match(verifyFrames.at(-1)!, `50% 40.0 MiB / 80.0 MiB  stopped at offset ${BAD_OFFSET}`);
  // The bar's line is finished before the message, which comes after it.
  const message = `differs at offset ${BAD_OFFSET}`;
  assert.ok(verified.terminal.indexOf(message) > verified.terminal.lastIndexOf('stopped at offset'), verified.terminal);
});

progress.run();
