import { statfsSync } from 'node:fs';
import { SysV } from '../../api/sysv.js';
import { pageSize } from '../../linux/mman.js';
import { POSIX_SHM_DIR } from '../../linux/posix.js';
import type { Parsed } from '../args.js';
import { humanBytes, toJson } from '../format.js';

export const infoOptions = ['json'] as const;

/** System limits (IPC_INFO) and usage (SHM_INFO), and room left in /dev/shm. */
export function info({ flags }: Parsed): number {
  const limits = SysV.limits();
  const usage = SysV.usage();
  const page = pageSize();
  const fs = statfsSync(POSIX_SHM_DIR, { bigint: true });
  const devShm = { totalBytes: fs.blocks * fs.bsize, freeBytes: fs.bavail * fs.bsize };
  if (flags.json) {
    console.log(toJson({ pageSize: page, sysv: { limits, usage }, posix: { directory: POSIX_SHM_DIR, ...devShm } }));
    return 0;
  }
  const pages = (n: bigint) => `${n} pages (${humanBytes(n * BigInt(page))})`;
  console.log(`page size                     ${page} bytes`);
  console.log('System V limits (IPC_INFO)');
  console.log(`  max segment size  (shmmax)  ${limits.shmmax} bytes (${humanBytes(limits.shmmax)})`);
  console.log(`  min segment size  (shmmin)  ${limits.shmmin} bytes`);
  console.log(`  max segments      (shmmni)  ${limits.shmmni}`);
  console.log(`  max total memory  (shmall)  ${pages(limits.shmall)}`);
  console.log('System V usage (SHM_INFO)');
  console.log(`  segments                    ${usage.usedIds}`);
  console.log(`  pages allocated             ${pages(usage.totalPages)}`);
  console.log(`  pages resident              ${pages(usage.residentPages)}`);
  console.log(`  pages swapped               ${pages(usage.swappedPages)}`);
  console.log(`POSIX (${POSIX_SHM_DIR})`);
  console.log(`  size                        ${humanBytes(devShm.totalBytes)}`);
  console.log(`  free                        ${humanBytes(devShm.freeBytes)}`);
  return 0;
}
