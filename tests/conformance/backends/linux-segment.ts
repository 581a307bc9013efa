// A fresh POSIX segment for one scenario on the Linux backends, created by
// the coordinator and removed when the stage closes (or by the test's
// cleanup, if the run failed first).
import { openOrCreate } from '../../../host/index.js';
import { freshName, keepOpen, trackPosix } from '../../helpers/resources.js';

export const SEGMENT_BYTES = 1 << 20;

export function linuxSegment(): { name: string; seg: ReturnType<typeof openOrCreate> } {
  const name = trackPosix(freshName('conf'));
  return { name, seg: keepOpen(openOrCreate({ kind: 'posix', name, size: SEGMENT_BYTES })) };
}
