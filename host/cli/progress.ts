// A progress bar on stderr, only when a person is watching a large job.
import { humanBytes } from './format.js';

const WORTH_SHOWING = 64 * 1024 * 1024;

export function progressBar(label: string, total: number): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY || total < WORTH_SHOWING) return undefined;
  const width = 30;
  return (done) => {
    const filled = Math.round((done / total) * width);
    const percent = String(Math.floor((done / total) * 100)).padStart(3);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${humanBytes(done)} / ${humanBytes(total)}`);
    if (done >= total) process.stderr.write('\n');
  };
}
