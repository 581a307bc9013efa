// Backend: Node processes on Linux sharing a real POSIX segment (futex(2)
// across processes). Each party is a child running process-party.ts.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ROOT } from '../../helpers/processes.js';
import { messageParty, runOnStage, trackedStage, type NodeBackend, type Party } from './backend.js';
import { linuxSegment, SEGMENT_BYTES } from './linux-segment.js';
import type { RoleAddress } from '../scenario.js';

const PARTY = new URL('./process-party.ts', import.meta.url).pathname;

/** A Node process playing `address` on the POSIX segment named `segment`. */
export function startProcess(segment: string, address: RoleAddress): Promise<Party> {
  return startChild(process.execPath, ['--import', 'tsx', PARTY, JSON.stringify({ segment, size: SEGMENT_BYTES, address })], 'process');
}

/** A party in a child process speaking the party protocol on its stdio (JSON lines out, "go" in). */
export async function startChild(command: string, args: string[], what: string): Promise<Party> {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const closed = once(child, 'close');
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await closed;
  };
  try {
    return await messageParty(
      async () => {
        const line = await lines.next();
        return line.done ? undefined : JSON.parse(line.value);
      },
      () => `${what} exited (code ${child.exitCode}, signal ${child.signalCode}): ${stderr.trim()}`,
      () => child.stdin.write('go\n'),
      kill,
    );
  } catch (error) {
    await kill();
    throw error;
  }
}

export function processes(): NodeBackend {
  const backend: NodeBackend = {
    name: 'Node processes, POSIX segment (futex)',
    detectsDeath: true,
    stage() {
      const { name, seg } = linuxSegment();
      return trackedStage(seg, (address) => startProcess(name, address), () => seg.close());
    },
    run: (suite, index) => runOnStage(backend.stage(), suite, index),
    close: async () => {},
  };
  return backend;
}
