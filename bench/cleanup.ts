// What a bench made, undone in reverse order when it ends, fails, or is
// stopped (Ctrl-C, SIGTERM, SIGHUP).

const cleanups: Array<() => void> = [];

/** Registers `task` to run at exit (last registered, first run); returns a function that runs it now, once. */
export function onCleanup(task: () => void): () => void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    const at = cleanups.indexOf(once);
    if (at >= 0) cleanups.splice(at, 1);
    task();
  };
  cleanups.push(once);
  return once;
}

export function cleanUp(): void {
  for (const task of cleanups.splice(0).reverse()) {
    try {
      task();
    } catch {
      // best effort: keep cleaning
    }
  }
}

let installed = false;
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', cleanUp);
}
