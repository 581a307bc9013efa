// Async waits run on shmkit's own waiter threads, never on libuv's pool:
// with many waits pending, file reads (which need the pool) still complete.
import { readFile } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NamedSemaphore, openOrCreate } from '../host/index.js';
import { cleanup, freshName, keepOpen, trackNamedSem, trackPosix } from './helpers/resources.js';

const test = suite('async waits');
test.after.each(cleanup);

test('8 pending futex waits and 8 pending named-semaphore waits do not starve file reads', async () => {
  const segment = keepOpen(openOrCreate({ kind: 'posix', name: trackPosix(freshName('async')), size: 1 << 16 }));
  const tokens = segment.semaphore('tokens', 0); // waits on it sleep on a futex
  const sem = keepOpen(NamedSemaphore.open(trackNamedSem(freshName('async-sem')), { create: true, value: 0 }));
  let settled = 0;
  const futexWaits = Array.from({ length: 8 }, () => tokens.waitAsync({ timeoutMs: 30_000 }).then((r) => { settled++; return r; }));
  const waits = Array.from({ length: 8 }, () => sem.waitAsync({ timeoutMs: 30_000 }).then((r) => { settled++; return r; }));
  // Four file reads need four pool threads at once; all must finish while every wait is still pending.
  await Promise.all([readFile('/proc/self/status'), readFile('/proc/self/maps'), readFile('/etc/hostname'), readFile('/proc/meminfo')]);
  assert.is(settled, 0, 'no wait was released yet');
  tokens.post(8);
  for (let i = 0; i < 8; i++) sem.post();
  assert.equal(await Promise.all(futexWaits), Array(8).fill(true));
  assert.equal(await Promise.all(waits), Array(8).fill(true));
});

test.run();
