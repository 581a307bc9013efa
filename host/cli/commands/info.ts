// info: System V limits (IPC_INFO) and usage (SHM_INFO), and the room in /dev/shm.
import { statfsSync } from 'node:fs';
import { SysV } from '../../api/sysv.js';
import { pageSize } from '../../linux/mman.js';
import { POSIX_SHM_DIR } from '../../linux/posix.js';
import { JSON_OPTION, type Command } from '../command.js';
import { fields, humanBytes } from '../format.js';
import { bytesJson } from '../json-shapes.js';
import { printJson, printLine } from '../output.js';
import { usageError } from '../usage-error.js';

export const info: Command = {
  name: 'info',
  summary: 'system limits and usage',
  usage: ['info [--json]'],
  description: "Prints the kernel's System V limits (IPC_INFO) and usage (SHM_INFO), and the size and\nfree room of the filesystem that holds POSIX objects (/dev/shm).",
  options: JSON_OPTION,
  examples: ['shmkit info', 'shmkit info --json'],
  run({ positionals, flags }) {
    if (positionals.length > 0) usageError(`info takes no arguments (got '${positionals[0]}')`);
    const limits = SysV.limits();
    const usage = SysV.usage();
    const page = pageSize();
    const fs = statfsSync(POSIX_SHM_DIR, { bigint: true });
    const devShm = { totalBytes: fs.blocks * fs.bsize, freeBytes: fs.bavail * fs.bsize };
    if (flags.json) {
      printJson({ pageSize: bytesJson(page), sysv: { limits, usage }, posix: { directory: POSIX_SHM_DIR, ...devShm } });
      return 0;
    }
    const pages = (n: bigint) => `${n} pages (${humanBytes(n * BigInt(page))})`;
    printLine(fields([
      ['page size', `${page} bytes`],
      ['System V limits (IPC_INFO)', ''],
      ['  max segment size  (shmmax)', `${limits.shmmax} bytes (${humanBytes(limits.shmmax)})`],
      ['  min segment size  (shmmin)', `${limits.shmmin} bytes`],
      ['  max segments      (shmmni)', String(limits.shmmni)],
      ['  max total memory  (shmall)', pages(limits.shmall)],
      ['System V usage (SHM_INFO)', ''],
      ['  segments', String(usage.usedIds)],
      ['  pages allocated', pages(usage.totalPages)],
      ['  pages resident', pages(usage.residentPages)],
      ['  pages swapped', pages(usage.swappedPages)],
      [`POSIX (${POSIX_SHM_DIR})`, ''],
      ['  size', humanBytes(devShm.totalBytes)],
      ['  free', humanBytes(devShm.freeBytes)],
    ]).replace(/ +$/gm, ''));
    return 0;
  },
};
