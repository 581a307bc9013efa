// Runs every protocol check from this page's main thread with Web Workers;
// shows them and publishes window.checkResults (the Chromium test reads it).
import * as shm from '/shmkit/browser.mjs';
import { CHECK_NAMES, runCheck } from './protocol.mjs';
import { spawnWorker } from '../spawn-worker.mjs';

const workers = new Set();

/** A module worker on runRole(message); resolves with its answer. */
function start(message) {
  const { worker, answer } = spawnWorker(new URL('./worker.mjs', import.meta.url), message);
  workers.add(worker);
  return answer;
}

const rows = document.getElementById('results');
const results = [];
const arena = new shm.PlainArena({ maxBytes: 64 << 20 });
for (const name of CHECK_NAMES) {
  let result;
  try {
    result = await runCheck(name, shm, arena, start);
  } catch (error) {
    result = { name, ok: false, detail: String(error?.stack ?? error) };
  } finally {
    for (const worker of workers) worker.terminate();
    workers.clear();
  }
  results.push(result);
  const row = rows.insertRow();
  row.insertCell().textContent = result.ok ? '✓' : '✗';
  row.insertCell().textContent = name;
  row.insertCell().textContent = result.detail;
  row.className = result.ok ? 'ok' : 'bad';
}
const passed = results.filter((r) => r.ok).length;
document.getElementById('status').textContent = `${passed} of ${results.length} checks hold (crossOriginIsolated: ${crossOriginIsolated}, page may block: ${shm.threadCanBlock()})`;
window.checkResults = { crossOriginIsolated, pageCanBlock: shm.threadCanBlock(), results };
