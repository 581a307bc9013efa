// The protocol conformance program: a WASI command that drives the core's
// own code (the same sources as build/core.wasm), single-threaded, against
// small reference models with operations from a seeded PRNG, then against
// bytes a peer corrupts. One line per property, then `N passed, N failed`;
// the exit status is 1 when any property failed. The output depends on the
// seed alone, so every WASI runtime must print the same bytes.
//   <runtime> build/conformance.wasm [seed]
import { broadcastMatchesModel, broadcastUnderCorruption } from "./broadcast";
import { directoryMatchesModel, directoryUnderCorruption } from "./directory";
import { mpmcMatchesModel, mpmcUnderCorruption } from "./mpmc";
import { Rng } from "./prng";
import { Property } from "./property";
import { spscMatchesModel, spscUnderCorruption } from "./spsc";
import { mutexMatchesModel, semaphoreMatchesModel, syncUnderCorruption } from "./sync";

const DEFAULT_SEED: u64 = 20261202;

function seedFromArguments(): u64 {
  const args = process.argv;
  if (args.length < 2) return DEFAULT_SEED;
  const seed = U64.parseInt(args[1]);
  return seed == 0 ? DEFAULT_SEED : seed;
}

const seed = seedFromArguments();
let passed = 0;
let failed = 0;

// Each property gets its own stream, so adding one leaves the others' operations as they were.
function check(index: u32, name: string, body: (rng: Rng, p: Property) => void): void {
  const p = new Property(name);
  body(new Rng(seed * 1000003 + index), p);
  if (p.ok) {
    passed++;
    console.log("ok   " + name + " (" + p.operations.toString() + " operations)");
  } else {
    failed++;
    console.log("FAIL " + name + ": " + (p.failure as string));
  }
}

console.log("shmkit core conformance, seed " + seed.toString());
check(1, "spsc ring: placement, refusal and order match the model", spscMatchesModel);
check(2, "mpmc queue: claims, takes and close match the model", mpmcMatchesModel);
check(3, "broadcast: backpressure and lossy readers match the model", broadcastMatchesModel);
check(4, "mutex: holds, re-entry, dead owners and repair match the model", mutexMatchesModel);
check(5, "semaphore: tokens and overflow match the model", semaphoreMatchesModel);
check(6, "directory: create, find, remove and first fit match the model", directoryMatchesModel);
check(7, "spsc ring, corrupted: answers inside the window, canaries intact, faults recorded", spscUnderCorruption);
check(8, "mpmc queue, corrupted: answers inside the window, canaries intact, faults recorded", mpmcUnderCorruption);
check(9, "broadcast, corrupted: answers inside the window, canaries intact, faults recorded", broadcastUnderCorruption);
check(10, "mutex and semaphore, corrupted: only known answers, canaries intact", syncUnderCorruption);
check(11, "directory, corrupted: sound entries inside the segment, canaries intact, faults recorded", directoryUnderCorruption);
console.log(passed.toString() + " passed, " + failed.toString() + " failed");
process.exit(failed == 0 ? 0 : 1);
