// The same transfer over a unix socket: a sender writing one record per
// write (respecting backpressure) and a receiver splitting the stream.
import { createConnection, createServer } from 'node:net';
import { Reading, nowMs } from './records.mjs';
import { structAt } from 'shmkit';

const [role, path, countText] = process.argv.slice(2);
const count = Number(countText);
const SIZE = Reading.size;

if (role === 'receive') {
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    let received = 0;
    let latencySum = 0;
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const now = nowMs();
      let at = 0;
      const record = structAt(Reading, new DataView(pending.buffer, pending.byteOffset, pending.length), 0, false);
      for (; at + SIZE <= pending.length; at += SIZE) {
        record.$offset = at;
        latencySum += now - record.sentMs;
        received++;
      }
      pending = pending.subarray(at);
    });
    socket.on('end', () => {
      process.stdout.write(JSON.stringify({ received, latencySumMs: latencySum }) + '\n');
      server.close();
    });
  });
  server.listen(path, () => process.stdout.write('listening\n'));
} else {
  const socket = createConnection(path, async () => {
    const record = new Uint8Array(SIZE);
    const view = structAt(Reading, new DataView(record.buffer), 0, true);
    view.label = 'boiler room, north wall';
    for (let seq = 0; seq < count; seq++) {
      view.sensor = 0;
      view.seq = seq;
      view.value = Math.sin(seq / 1000) * 40 + 20;
      view.sentMs = nowMs();
      if (!socket.write(record.slice())) await new Promise((resolve) => socket.once('drain', resolve));
    }
    socket.end();
  });
}
