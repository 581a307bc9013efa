// A module worker given one job, for the demo, the checks and the web bench.
// Its messages: { ready } once it is set up, { answer } when done, { error }
// when it failed; anything else goes to `onMessage`.

/** Starts `url` on `job`: { worker, ready, answer } (promises that reject on the worker's error). */
export function spawnWorker(url, job, transfer = [], onMessage = () => {}) {
  const worker = new Worker(url, { type: 'module' });
  let ready;
  let answer;
  let failReady;
  const readyPromise = new Promise((resolve, reject) => ((ready = resolve), (failReady = reject)));
  const answerPromise = new Promise((resolve, reject) => {
    answer = resolve;
    const fail = (error) => {
      failReady(error);
      reject(error);
    };
    worker.onerror = (event) => fail(new Error(`worker: ${event.message}`));
    worker.onmessage = ({ data }) => {
      if (data?.error !== undefined) fail(new Error(`worker: ${data.error}`));
      else if (data?.ready) ready();
      else if (data?.answer !== undefined) answer(data.answer);
      else onMessage(data);
    };
  });
  // Whoever awaits one of them sees the failure; an unawaited one must not report it again.
  readyPromise.catch(() => {});
  answerPromise.catch(() => {});
  worker.postMessage(job, transfer);
  return { worker, ready: readyPromise, answer: answerPromise };
}

/** The worker side: runs `job(data)` on the first message and posts its answer, or the error. */
export function serveJob(job) {
  onmessage = ({ data }) => {
    onmessage = null; // one job per worker; a job may listen for more itself
    Promise.resolve()
      .then(() => job(data))
      .then((answer) => answer !== undefined && postMessage({ answer }), (error) => postMessage({ error: String(error?.stack ?? error) }));
  };
}
