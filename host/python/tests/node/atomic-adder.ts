// Adds 1 to the first i32 of the object 'counters', argv[3] times (test_atomics.py).
import { openOrCreate } from '../../../../host/index.js';

const [name, times] = process.argv.slice(2);
const seg = openOrCreate({ kind: 'posix', name: name!, size: 1 << 16 });
const counters = seg.findOrCreate('counters', { bytes: 64 });
const words = new Int32Array(counters.buffer, counters.byteOffset, 16);
for (let i = 0; i < Number(times); i++) Atomics.add(words, 0, 1);
seg.close();
