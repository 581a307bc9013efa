// Peers that run as another user cannot read the checkout when it lives
// under a private directory (a clone in root's home, a `mktemp -d`). They
// run from a copy every user can read instead: an esbuild bundle of their
// entry point, the core's wasm and koffi, in a world-readable temp
// directory made once per test process and removed when it exits.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { ROOT } from './paths.js';

let root: string | undefined;
const bundles = new Map<string, string>();

/**
 * The readable copy's root. Its layout mirrors the checkout's, so the
 * host's `../../build/core.wasm` (relative to its module) and
 * `node_modules/koffi` resolve inside it.
 */
export function readableRoot(): string {
  if (root !== undefined) return root;
  const made = mkdtempSync(join(tmpdir(), 'shmkit-readable-'));
  process.on('exit', () => rmSync(made, { recursive: true, force: true }));
  cpSync(join(ROOT, 'build/core.wasm'), join(made, 'build/core.wasm'));
  // koffi finds its prebuilt binary in a sibling package of node_modules/koffi.
  const koffi = realpathSync(join(ROOT, 'node_modules/koffi'));
  const binary = `@koromix/koffi-${process.platform}-${process.arch}`;
  cpSync(koffi, join(made, 'node_modules/koffi'), { recursive: true });
  cpSync(join(dirname(koffi), binary), join(made, 'node_modules', binary), { recursive: true });
  openToAll(made);
  root = made;
  return made;
}

/**
 * A bundle of `entry` (a TypeScript module, relative to the checkout) that
 * any user can read and run: koffi stays external, everything else from the
 * checkout is inside it.
 */
export function readableBundle(entry: string): string {
  const known = bundles.get(entry);
  if (known !== undefined) return known;
  const dir = readableRoot();
  const outfile = join(dir, entry.replace(/\.ts$/, '.mjs'));
  mkdirSync(dirname(outfile), { recursive: true });
  buildSync({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'es2022', // Node 20 lacks what esbuild may emit for later targets
    external: ['koffi'],
    logLevel: 'error',
  });
  openToAll(dir); // the folders made for it too, whatever the umask
  bundles.set(entry, outfile);
  return outfile;
}

// mkdtemp makes 0700, and copies keep the checkout's modes: let everyone read.
function openToAll(path: string): void {
  execFileSync('chmod', ['-R', 'a+rX', path]);
}
