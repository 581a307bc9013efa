// One core, every host: the Node host's core.wasm (from source and in the
// package) and the one the browser bundle carries are the same bytes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from './helpers/paths.js';

const oneCore = suite('one core');

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

oneCore('build/core.wasm, dist/core.wasm and the bytes inlined in dist/browser.mjs hash the same', () => {
  const built = sha256(readFileSync(ROOT + 'build/core.wasm'));
  assert.is(sha256(readFileSync(ROOT + 'dist/core.wasm')), built, 'the package ships the built core');
  const inlined = /coreWasmBase64 = "([A-Za-z0-9+/=]+)"/.exec(readFileSync(ROOT + 'dist/browser.mjs', 'utf8'));
  assert.ok(inlined, 'dist/browser.mjs carries the core as base64');
  assert.is(sha256(Buffer.from(inlined[1]!, 'base64')), built, 'the browser bundle carries the same core');
});

oneCore.run();
