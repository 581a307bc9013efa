// The Node side of the Python benchmark's "Node → Python" rows: takes the
// producer role of ring 'r' in the POSIX segment argv[2], says "ready",
// and on a line from stdin sends argv[4] 64-byte messages, 256 per
// sendPacked call, waiting while the ring is full.
import { createInterface } from 'node:readline';
import { openOrCreate } from '../../host/index.js';

const [name, capacity, countText] = process.argv.slice(2);
const seg = openOrCreate({ kind: 'posix', name: name!, size: 1 << 24 });
const tx = seg.ring('r', Number(capacity)).acquireProducer();
const count = Number(countText);
const packed = new Uint8Array(64 * 256);
console.log('ready');
createInterface({ input: process.stdin }).once('line', () => {
  let sent = 0;
  while (sent < count) {
    const n = tx.sendPacked(packed.subarray(0, 64 * Math.min(256, count - sent)), 64);
    sent += n;
    if (n === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0.01); // full: let the consumer drain
  }
  tx.close();
  seg.close();
  process.exit(0);
});
