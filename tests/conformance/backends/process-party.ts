// A Node process in a conformance scenario (backends/processes.ts starts
// it). argv[2] is JSON { segment, size, address }: it opens the POSIX
// segment, prints {"ready":true}, plays its role on a line on stdin, prints
// {"result":…} or {"error":…} and exits.
import { createInterface } from 'node:readline';
import { openOrCreate } from '../../../host/index.js';
import { playWhenTold, type PartyMessage } from './backend.js';

const { segment, size, address } = JSON.parse(process.argv[2]!);
const seg = openOrCreate({ kind: 'posix', name: segment, size });
const post = (message: PartyMessage) => {
  const line = JSON.stringify(message) + '\n';
  if ('ready' in message || 'say' in message) process.stdout.write(line);
  else process.stdout.write(line, () => {
    seg.close();
    process.exit(0);
  });
};
playWhenTold(seg, address, post, (run) => createInterface({ input: process.stdin }).once('line', run));
