// Whether this thread may block in Atomics.wait. A browser page's main
// thread may not: Atomics.wait throws a TypeError there, before it even
// looks at the word. Asked once per thread, with a value that never
// matches, so the question itself never sleeps.
let answer: boolean | undefined;

/** False on a thread that may not sleep in Atomics.wait (a page's main thread): its sync waits are refused with ENOTSUP. */
export function threadCanBlock(): boolean {
  if (answer === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      answer = true;
    } catch {
      answer = false;
    }
  }
  return answer;
}
