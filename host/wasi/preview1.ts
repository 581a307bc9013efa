// The WASI preview1 functions the core imports, and nothing else: the
// release build imports none, the checked build `fd_write` and `proc_exit`
// for its abort message. Portable (no node:*), so every JS host can use it;
// node:wasi and @bjorn3/browser_wasi_shim work too (tests/wasi-core.test.ts),
// but cost more per thread and turn an abort into an exit of the process
// or an opaque WASIProcExit instead of an error with the message.
import { ShmError } from '../errors.js';

/** The error code of a core that stopped on a failed check of its own (a bug, never bad input). */
export const CORE_ABORT = 'ECOREABORT';

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const STDOUT = 1;
const STDERR = 2;
// iovec: { buf u32, buf_len u32 }
const IOVEC_SIZE = 8;
// What is kept of an instance's output for the error (an abort line is a few hundred bytes).
const KEPT_BYTES = 4096;

/** A WASI implementation as the core needs it: its import object and the reactor start. */
export interface CoreWasi {
  readonly imports: WebAssembly.ModuleImports;
  initialize(instance: WebAssembly.Instance): void;
}

/** The minimal preview1 imports for one core instance on `memory`. */
export function corePreview1(memory: WebAssembly.Memory): CoreWasi {
  let written = '';
  const decoder = new TextDecoder();
  return {
    imports: {
      fd_write(fd: number, iovs: number, count: number, writtenOut: number): number {
        if (fd !== STDOUT && fd !== STDERR) return ERRNO_BADF;
        const view = new DataView(memory.buffer);
        let total = 0;
        for (let i = 0; i < count; i++) {
          const buf = view.getUint32(iovs + i * IOVEC_SIZE, true);
          const length = view.getUint32(iovs + i * IOVEC_SIZE + 4, true);
          // TextDecoder refuses views of a SharedArrayBuffer: decode a copy.
          written = (written + decoder.decode(new Uint8Array(memory.buffer, buf, length).slice())).slice(-KEPT_BYTES);
          total += length;
        }
        view.setUint32(writtenOut, total, true);
        return ERRNO_SUCCESS;
      },
      proc_exit(code: number): never {
        const said = written.trim() || '(it wrote no message)';
        written = '';
        throw new ShmError({
          code: CORE_ABORT,
          message: `the shmkit core stopped on a failed check (exit status ${code}): ${said}; ` +
            'this is a bug in shmkit or in the host calling it, not bad input: report it with the call that led here',
        });
      },
    },
    initialize(instance) {
      (instance.exports._initialize as () => void)();
    },
  };
}
