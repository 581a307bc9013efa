// Normal output goes to stdout, messages and progress to stderr. A reader
// that goes away (`shmkit dump … | head -1`) ends the command at once and
// without a word, with the status it had so far (0), where Node would throw
// EPIPE with a stack trace.
import { bigintAsDecimal } from '../api/json-form.js';

function readerGone(error: NodeJS.ErrnoException): boolean {
  return error.code === 'EPIPE';
}

/** Installs the quiet exit for a closed stdout or stderr; main calls it first. */
export function exitQuietlyWhenReaderGoes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (readerGone(error)) process.exit();
      if (stream === process.stdout) process.stderr.write(`shmkit: cannot write the output: ${error.message}\n`);
      process.exit(1);
    });
  }
}

/** A line of normal output. */
export function printLine(text: string): void {
  process.stdout.write(text + '\n');
}

/**
 * Writes and waits until the text is handed to the kernel, so a long output
 * stops as soon as its reader has gone, and holds no more than one chunk.
 */
export function writeChunk(text: string): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(text, (error) => {
      if (!error) resolve();
      else if (readerGone(error)) process.exit();
      // other errors reach the stream's 'error' listener
    });
  });
}

/** One JSON document on stdout: bigints as decimal strings, dates as ISO 8601 (UTC). */
export function printJson(value: unknown): void {
  printLine(JSON.stringify(value, (_name, v: unknown) => bigintAsDecimal(v), 2));
}

/** A message for the person at the terminal. */
export function printMessage(text: string): void {
  process.stderr.write(text + '\n');
}
