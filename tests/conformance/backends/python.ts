// Backend: Python and Node processes on Linux sharing a real POSIX segment,
// the Python ones through the Python host (host/python, in the venv npm
// test makes). Parties alternate: the first, third, … play their role in
// Python (tests/conformance/python/), the others in Node, so every
// scenario with two parties or more is played across the two hosts.
import { spawnSync } from 'node:child_process';
// @ts-expect-error: a plain .mjs script without declarations
import { pythonEnv } from '../../../scripts/python-env.mjs';
import { ROOT } from '../../helpers/processes.js';
import { runOnStage, trackedStage, type NodeBackend, type Party } from './backend.js';
import { linuxSegment, SEGMENT_BYTES } from './linux-segment.js';
import { startChild, startProcess } from './processes.js';
import type { ProtocolSuite, RoleAddress } from '../scenario.js';

const PARTY = new URL('../python/party.py', import.meta.url).pathname;

/** The addresses (protocol, scenario, role) the Python side has roles for. */
export function pythonRoles(): Set<string> {
  const python = pythonEnv() as string;
  const listed = spawnSync(python, [PARTY, '--list'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`${PARTY} --list failed: ${listed.stderr}`);
  return new Set((JSON.parse(listed.stdout) as [string, number, string][]).map((address) => address.join('/')));
}

/** Whether every role of scenario `index` of `suite` has a Python version. */
export function playableInPython(roles: Set<string>, suite: ProtocolSuite, index: number): boolean {
  return Object.keys(suite.scenarios[index]!.roles).every((role) => roles.has(`${suite.protocol}/${index}/${role}`));
}

function startPython(segment: string, address: RoleAddress): Promise<Party> {
  return startChild(pythonEnv() as string, [PARTY, JSON.stringify({ segment, size: SEGMENT_BYTES, address })], 'python');
}

export function pythonProcesses(): NodeBackend {
  const backend: NodeBackend = {
    name: 'Python and Node processes, POSIX segment (futex)',
    detectsDeath: true,
    stage() {
      const { name, seg } = linuxSegment();
      let started = 0;
      return trackedStage(seg, (address) => (started++ % 2 === 0 ? startPython(name, address) : startProcess(name, address)), () => seg.close());
    },
    run: (suite, index) => runOnStage(backend.stage(), suite, index),
    close: async () => {},
  };
  return backend;
}
