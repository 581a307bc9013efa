// The demo's child: a separate process that opens what the parent made,
// writes 0xdeadbeef at offset 0 and the mod256 pattern from PATTERN_START,
// then exits. It imports shmkit by its package name, as a user would.
import { Memfd, Posix, SysV, openOrCreate } from 'shmkit';
import { COUNTERS, MAGIC, PATTERN_START, Counter, ROUNDS } from './layout.mjs';

const [kind, handle] = process.argv.slice(2);

if (kind === 'counters') {
  // Part 4: a self-describing segment; every round takes the shared lock.
  const segment = openOrCreate({ kind: 'posix', name: handle, size: 1 << 16 });
  try {
    const lock = segment.mutex('lock');
    const table = segment.find('counters', { table: Counter, count: COUNTERS });
    const row = table.cursor();
    for (let i = 0; i < ROUNDS; i++) {
      lock.lockSync();
      row.$offset = (i % COUNTERS) * Counter.size;
      row.hits += 1; // read, add, write: only safe under the lock
      row.lastPid = process.pid;
      lock.unlock();
    }
    console.log(`    child ${process.pid}: ${ROUNDS} locked increments done`);
  } finally {
    segment.close();
  }
  process.exit(0);
}
const open = {
  sysv: () => SysV.open({ id: Number(handle) }),
  posix: () => Posix.open(handle),
  memfd: () => Memfd.fromFd(3), // the parent passed the memfd as stdio slot 3
}[kind];

const segment = open();
try {
  segment.view.setUint32(0, MAGIC, true);
  segment.writePattern('mod256', { offset: PATTERN_START });
  console.log(`    child ${process.pid}: wrote 0x${MAGIC.toString(16)} and the pattern into ${segment.description}`);
} finally {
  segment.close();
}
