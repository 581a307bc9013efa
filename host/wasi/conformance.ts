// Runs the conformance program (build/conformance.wasm, a WASI preview1
// command: assembly/conformance/) under any WASI implementation a host has,
// and reads its verdict. Portable: no node:*, so a browser page can run it
// with @bjorn3/browser_wasi_shim exactly as Node does.
import type * as BrowserWasiShim from '@bjorn3/browser_wasi_shim';

/** A WASI implementation that can run a command: its imports, its start, what the command printed. */
export interface WasiCommandHost {
  readonly imports: WebAssembly.ModuleImports;
  /** Runs `_start` to the end; the exit status. */
  start(instance: WebAssembly.Instance): number;
  /** Everything the command wrote to stdout. */
  output(): string;
  /** Everything it wrote to stderr (an abort message, say). */
  errors(): string;
}

export interface ConformanceRun {
  /** The exit status; -1 when the program trapped. */
  exitCode: number;
  output: string;
  passed: number;
  failed: number;
  /** The `FAIL …` lines, and why the summary is missing if it is. */
  failures: string[];
}

const SUMMARY = /^(\d+) passed, (\d+) failed$/;

/** Runs the program once under `host`; a trap ends the run as a failure, with its message. */
export function runConformance(module: WebAssembly.Module, host: WasiCommandHost): ConformanceRun {
  const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: host.imports });
  let exitCode = -1;
  let trap = '';
  try {
    exitCode = host.start(instance);
  } catch (error) {
    trap = String(error);
  }
  return readVerdict(host.output(), exitCode, [host.errors(), trap].filter(Boolean).join('; '));
}

/** Reads the verdict from the program's output; a missing summary counts as a failure, with `why` (stderr, a trap). */
export function readVerdict(output: string, exitCode: number, why = ''): ConformanceRun {
  const lines = output.trimEnd().split('\n');
  const summary = SUMMARY.exec(lines[lines.length - 1] ?? '');
  const failures = lines.filter((line) => line.startsWith('FAIL '));
  if (!summary) failures.push(`FAIL the program ended before its summary line (exit status ${exitCode})${why ? `: ${why}` : ''}`);
  return {
    exitCode,
    output,
    passed: summary ? Number(summary[1]) : 0,
    failed: summary ? Number(summary[2]) : failures.length,
    failures,
  };
}

/** The program's arguments: argv[0] is its name, argv[1] the seed. */
export function conformanceArgs(seed: number): string[] {
  return ['conformance', String(seed)];
}

/** A WasiCommandHost over @bjorn3/browser_wasi_shim (pass the package's exports: browsers load it their own way). */
export function browserShimHost(shim: typeof BrowserWasiShim, args: string[]): WasiCommandHost {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const stdin = new shim.OpenFile(new shim.File([]));
  const stdout = new shim.ConsoleStdout((bytes) => out.push(bytes.slice()));
  const stderr = new shim.ConsoleStdout((bytes) => err.push(bytes.slice()));
  const wasi = new shim.WASI(args, [], [stdin, stdout, stderr], { debug: false });
  return {
    imports: wasi.wasiImport,
    start: (instance) => wasi.start(instance as unknown as Parameters<typeof wasi.start>[0]),
    output: () => decode(out),
    errors: () => decode(err),
  };
}

function decode(chunks: Uint8Array[]): string {
  const all = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(all);
}
