// The demo's child: a separate process that opens what the parent made,
// writes 0xdeadbeef at offset 0 and the mod256 pattern from PATTERN_START,
// then exits. It imports shmkit by its package name, as a user would.
import { Memfd, Posix, SysV } from 'shmkit';
import { MAGIC, PATTERN_START } from './layout.mjs';

const [kind, handle] = process.argv.slice(2);
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
