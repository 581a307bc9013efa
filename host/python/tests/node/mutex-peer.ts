// The Node end of test_sync_mutex.py:
//   count NAME ROUNDS  increments the i32 'counter' ROUNDS times under mutex 'm' (plainly: only the lock keeps it exact)
//   hold NAME          takes 'm', prints "held", and waits to be killed
//   take NAME          takes 'm' and prints what lockSync said ("owner-died" when its holder had died)
import { openOrCreate } from '../../../../host/index.js';

const [mode, name, rounds] = process.argv.slice(2);
const seg = openOrCreate({ kind: 'posix', name: name!, size: 1 << 20 });
const mutex = seg.mutex('m');
if (mode === 'count') {
  const bytes = seg.findOrCreate('counter', { bytes: 64 });
  const counter = new Int32Array(bytes.buffer, bytes.byteOffset, 1);
  for (let i = 0; i < Number(rounds); i++) {
    if (mutex.lockSync({ timeoutMs: 60_000 }) !== 'acquired') throw new Error('no lock');
    counter[0] = counter[0]! + 1;
    mutex.unlock();
  }
} else if (mode === 'hold') {
  mutex.lockSync();
  console.log('held');
  setInterval(() => {}, 1000);
} else {
  const result = mutex.lockSync({ timeoutMs: 60_000 });
  if (result === 'owner-died') mutex.markConsistent();
  mutex.unlock();
  console.log(result);
}
if (mode !== 'hold') seg.close();
