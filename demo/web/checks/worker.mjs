// A worker of the protocol checks: plays the role its one message names.
import * as shm from '/shmkit/browser.mjs';
import { runRole } from './protocol.mjs';
import { serveJob } from '../spawn-worker.mjs';

serveJob((message) => runRole(shm, message));
