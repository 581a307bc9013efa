#!/usr/bin/env node
// `npm run demo:web`: serves the demo page (and checks.html, the protocol
// checks) with cross-origin isolation, and shmkit/browser from dist/.
//   node demo/web/server.mjs [--port 8080]
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startIsolatedServer } from './isolated-server.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

/** The mounts of the demo: its own folder, and the built library under /shmkit/. */
export const DEMO_MOUNTS = { '/': here, '/shmkit/': dist };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--port');
  const port = at > 0 ? Number(process.argv[at + 1]) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a TCP port number: got '${process.argv[at + 1]}'`);
    process.exit(2);
  }
  if (!existsSync(`${dist}browser.mjs`)) {
    console.error('dist/browser.mjs is missing: run `npm run build` first (npm run demo:web does)');
    process.exit(1);
  }
  const { url } = await startIsolatedServer({ mounts: DEMO_MOUNTS, port });
  console.log(`shmkit web demo: ${url}   (protocol checks: ${url}checks.html; Ctrl-C stops)`);
}
