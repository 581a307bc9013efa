// A worker of the protocol checks: plays the role its one message names.
import * as shm from '/shmkit/browser.mjs';
import { runRole } from './protocol.mjs';

onmessage = ({ data }) => {
  onmessage = null;
  runRole(shm, data).then((answer) => postMessage({ answer }), (error) => postMessage({ error: String(error?.stack ?? error) }));
};
