// Every protocol's conformance suite (tests/conformance/<layer>/<protocol>.ts)
// over every backend: Node processes on a POSIX segment, Node worker
// threads on the Linux arena, Node worker threads on a plain memory
// (shmkit/browser), and Chromium's Web Workers. A scenario lists every
// outcome its protocol allows; any other fails it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { judge, type ProtocolSuite } from './conformance/scenario.js';
import { SUITES } from './conformance/suites.js';
import type { Backend } from './conformance/backends/backend.js';
import { processes } from './conformance/backends/processes.js';
import { linuxThreads, plainThreads } from './conformance/backends/threads.js';
import { chromiumWorkers } from './conformance/backends/chromium.js';
import { playableInPython, pythonProcesses, pythonRoles } from './conformance/backends/python.js';
import { chromiumMissing } from './helpers/chromium.js';
import { ROOT } from './helpers/processes.js';
import { cleanup } from './helpers/resources.js';

const BROWSER_BUILD = `${ROOT}dist/browser.mjs`;

/** Runs every scenario over the backend; one it cannot play (`playable` says no) is listed as skipped. */
function conformance(title: string, makeBackend: () => Backend | Promise<Backend>, playable = (_suite: ProtocolSuite, _index: number) => true): void {
  const test = suite(`conformance over ${title}`);
  let backend: Backend | undefined;
  test.before(async () => {
    backend = await makeBackend();
  });
  test.after.each(cleanup);
  test.after(async () => {
    await backend?.close();
  });
  for (const protocol of SUITES) {
    protocol.scenarios.forEach((scenario, index) => {
      if (!playable(protocol, index)) {
        test.skip(`${protocol.protocol}: ${scenario.title} (no role of it in this backend's language yet)`, () => {});
        return;
      }
      test(`${protocol.protocol}: ${scenario.title}`, async () => {
        const outcome = await backend!.run(protocol, index);
        const verdict = judge(scenario, outcome);
        assert.ok(verdict === undefined, verdict);
      });
    });
  }
  test.run();
}

const judging = suite('conformance: judging an outcome');
judging('an outcome the scenario does not list fails, naming every allowed one', () => {
  const scenario = SUITES[0]!.scenarios[1]!;
  assert.is(judge(scenario, Object.keys(scenario.allowed)[0]!), undefined);
  assert.is(judge(scenario, 'entries=1 first=10 second=0 overlaps=0'), `outcome 'entries=1 first=10 second=0 overlaps=0' is not allowed; allowed: ${Object.keys(scenario.allowed).map((o) => `'${o}'`).join(', ')}`);
});
judging.run();

assert.ok(existsSync(BROWSER_BUILD), 'dist/browser.mjs is missing: run `npm run build` first');
const browserBuild = () => import(BROWSER_BUILD);

conformance('Node processes, POSIX segment', processes);
const inPython = pythonRoles();
conformance('Python and Node processes, POSIX segment', pythonProcesses, (suite, index) => playableInPython(inPython, suite, index));
conformance('Node worker threads, Linux arena', linuxThreads);
conformance('Node worker threads, plain memory', async () => plainThreads(await browserBuild()));
const missingChromium = chromiumMissing();
if (missingChromium) console.warn(`conformance: Chromium SKIPPED, ${missingChromium}`);
else conformance('Chromium Web Workers, plain memory', chromiumWorkers);
