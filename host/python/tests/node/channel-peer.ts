// The Node end of test_channel_queue.py, on a queue 'q' (slots 1024, slotSize 64) or broadcast 'b' (slots 64, slotSize 64):
//   queue-produce NAME COUNT   sends COUNT 64-byte messages [i u32][crc-able pattern], then ends the queue
//   queue-consume NAME         receives until the end; prints {"count", "crc"}
//   bcast-produce NAME COUNT   waits for one reader, publishes COUNT messages, leaves
//   bcast-consume NAME         subscribes, prints "ready", reads until the end; prints {"count", "crc", "lost"}
import { crc32 } from 'node:zlib';
import { openOrCreate } from '../../../../host/index.js';

const [mode, name, countText] = process.argv.slice(2);
const seg = openOrCreate({ kind: 'posix', name: name!, size: 1 << 22 });
const count = Number(countText);
const message = (i: number) => {
  const bytes = new Uint8Array(64);
  new DataView(bytes.buffer).setUint32(0, i, true);
  for (let k = 4; k < 64; k++) bytes[k] = (i * 7 + k) & 255;
  return bytes;
};
const wait = { timeoutMs: 60_000 };
if (mode === 'queue-produce') {
  const q = seg.queue('q', { slots: 1024, slotSize: 64 });
  for (let i = 0; i < count; i++) if (!q.pushSync(message(i), wait)) throw new Error('push timed out');
  q.end();
} else if (mode === 'queue-consume') {
  const q = seg.queue('q', { slots: 1024, slotSize: 64 });
  let n = 0;
  let crc = 0;
  for (let m = q.popSync(wait); m !== null; m = q.popSync(wait)) {
    crc = crc32(m, crc);
    n++;
  }
  console.log(JSON.stringify({ count: n, crc }));
} else if (mode === 'bcast-produce') {
  const b = seg.broadcast('b', { slots: 64, slotSize: 64 });
  const ready = seg.findOrCreate('readers', { bytes: 64 });
  const readers = new Int32Array(ready.buffer, ready.byteOffset, 1);
  while (Atomics.load(readers, 0) < 1) Atomics.wait(readers, 0, 0, 20);
  const w = b.acquireWriter();
  for (let i = 0; i < count; i++) if (!w.publishSync(message(i), wait)) throw new Error('publish timed out');
  w.close();
} else {
  const r = seg.broadcast('b', { slots: 64, slotSize: 64 }).subscribe();
  console.log('ready');
  let n = 0;
  let crc = 0;
  for (let m = r.readSync(wait); m !== null; m = r.readSync(wait)) {
    crc = crc32(m.data, crc);
    n++;
  }
  console.log(JSON.stringify({ count: n, crc, lost: r.lost }));
  r.close();
}
seg.close();
