// A progress bar on stderr, drawn only when stderr is a terminal and the job
// is large enough to watch: done and total, rate, time left. It ends where
// the job ends, at the failing byte when a check fails.
import { humanBytes } from './format.js';

const WORTH_SHOWING = 64 * 1024 * 1024;
const WIDEST_BAR = 30;
const FALLBACK_COLUMNS = 80;
// What follows the bar: percent, done / total, rate, time left (or where it stopped).
const ROOM_FOR_FIGURES = 60;

export interface Progress {
  /** `done` bytes of the total are through. */
  update(done: number): void;
  /** The job finished. */
  finish(): void;
  /** The job stopped at byte `at` (a check failed there). */
  stop(at: number, why: string): void;
}

function clock(seconds: number): string {
  const whole = Math.ceil(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress | undefined {
  if (!stream.isTTY || total < WORTH_SHOWING) return undefined;
  const started = performance.now();
  // One width for the whole job, narrower on a narrow terminal, so the bar does not jump.
  const width = Math.max(0, Math.min(WIDEST_BAR, (stream.columns || FALLBACK_COLUMNS) - label.length - ROOM_FOR_FIGURES));
  const rate = (done: number) => done / Math.max((performance.now() - started) / 1000, 1e-6);
  const draw = (done: number, tail: string, end = '') => {
    const filled = Math.round((done / total) * width);
    const percent = String(Math.floor((done / total) * 100)).padStart(3);
    // \r and erase-to-end redraw the one line.
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${humanBytes(done)} / ${humanBytes(total)}  ${tail}\x1b[K${end}`);
  };
  return {
    update(done) {
      const perSecond = rate(done);
      draw(done, `${humanBytes(perSecond)}/s  ETA ${clock((total - done) / perSecond)}`);
    },
    finish() {
      const seconds = (performance.now() - started) / 1000;
      draw(total, `${humanBytes(rate(total))}/s  in ${seconds.toFixed(1)} s`, '\n');
    },
    stop(at, why) {
      draw(at, why, '\n');
    },
  };
}
