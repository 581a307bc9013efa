// The Node end of an SPSC ring for test_channels.py:
//   produce NAME RING CAPACITY COUNT SEED  sends COUNT messages of varied sizes, then closes
//   consume NAME RING CAPACITY             receives until the end; prints {"count", "crc"}
// Message i is `length(i, seed)` bytes of pattern (i + k) mod 251, so both sides can check every byte.
import { openOrCreate } from '../../../../host/index.js';
import { messageBytes, crcOf } from './messages.js';

const [mode, name, ringName, capacityText, countText, seedText] = process.argv.slice(2);
const seg = openOrCreate({ kind: 'posix', name: name!, size: 1 << 22 });
const ring = seg.ring(ringName!, Number(capacityText));
if (mode === 'produce') {
  const tx = ring.acquireProducer();
  const count = Number(countText);
  for (let i = 0; i < count; i++) {
    if (!tx.sendSync(messageBytes(i, Number(seedText), ring.maxMessage), { timeoutMs: 60_000 })) throw new Error(`send ${i} timed out`);
  }
  tx.close();
} else {
  const rx = ring.acquireConsumer();
  let count = 0;
  let crc = 0;
  for (;;) {
    const message = rx.receiveSync({ timeoutMs: 60_000 });
    if (message === null) break;
    crc = crcOf(message, crc);
    count++;
  }
  if (!rx.ended) throw new Error('receiveSync gave null before the end');
  console.log(JSON.stringify({ count, crc }));
  rx.close();
}
seg.close();
