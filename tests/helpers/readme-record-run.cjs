// Preloaded into every Node process a README example starts (NODE_OPTIONS):
// notes the file each one runs, so the test knows that an example's second
// process really ran.
const { appendFileSync } = require('node:fs');
const { isMainThread } = require('node:worker_threads');

if (isMainThread && process.argv[1] && process.env.SHMKIT_README_RUNS) {
  appendFileSync(process.env.SHMKIT_README_RUNS, process.argv[1] + '\n');
}
