// The mutex and the semaphore as state machines: every answer of the core
// is the model's, step by step, through holds, re-entry, owners dying,
// repair and the unrecoverable state; then words a peer corrupts, where
// every answer must still be one the protocol knows.
import { ACQUIRED, ACQUIRED_AGAIN, BAD_ARGUMENT, ID_MASK, NOT_OWNER, NOT_RECOVERABLE, WOULD_DEADLOCK } from "../sync/ids";
import {
  MUTEX_CONSISTENT, MUTEX_INCONSISTENT, MUTEX_NORMAL, MUTEX_RECURSIVE, MUTEX_SIZE, MUTEX_UNRECOVERABLE,
  mutexInit, mutexMarkConsistent, mutexOwner, mutexState, mutexTakeOver, mutexTryLock, mutexUnlock,
} from "../sync/mutex";
import { SEMAPHORE_SIZE, semInit, semPost, semTryWait, semValue } from "../sync/semaphore";
import { Rng } from "./prng";
import { Property } from "./property";
import { Window } from "./window";

const IDS: u32 = 4;
const SEM_MAX: u32 = 0x7fffffff;

class MutexModel {
  owner: u32 = 0;
  depth: u32 = 0;
  waiters: bool = false;
  state: u32 = MUTEX_CONSISTENT;
}

export function mutexMatchesModel(rng: Rng, p: Property): void {
  for (let round = 0; round < 20; round++) {
    const w = new Window(MUTEX_SIZE, 600 + round);
    const m = w.base;
    const recursive = rng.chance(50);
    mutexInit(m, recursive ? MUTEX_RECURSIVE : MUTEX_NORMAL);
    const model = new MutexModel();
    for (let op = 0; op < 200; op++, p.operations++) {
      const id = 1 + rng.below(IDS);
      const what = rng.below(10);
      let got: i32 = 0;
      let expected: i32 = 0;
      if (what < 4) {
        const contended = rng.chance(30);
        got = mutexTryLock(m, id, contended);
        if (model.state == MUTEX_UNRECOVERABLE) expected = NOT_RECOVERABLE;
        else if (model.owner == 0) {
          expected = ACQUIRED;
          model.owner = id;
          model.depth = 1;
          model.waiters = contended;
        } else if (model.owner == id) {
          expected = recursive ? ACQUIRED_AGAIN : WOULD_DEADLOCK;
          if (recursive) model.depth++;
        } else expected = <i32>model.owner;
      } else if (what < 7) {
        got = mutexUnlock(m, id);
        if (model.owner != id) expected = NOT_OWNER;
        else if (model.depth > 1) {
          model.depth--;
          expected = 0;
        } else {
          expected = model.state == MUTEX_INCONSISTENT ? 2 : model.waiters ? 1 : 0;
          if (model.state == MUTEX_INCONSISTENT) model.state = MUTEX_UNRECOVERABLE;
          model.owner = 0;
          model.depth = 0;
          model.waiters = false;
        }
      } else if (what < 9) {
        // The host found `dead` dead: the owner, or (wrongly) someone else.
        const dead = rng.chance(70) ? model.owner : 1 + rng.below(IDS);
        got = mutexTakeOver(m, dead, id);
        expected = dead == model.owner ? 1 : 0;
        if (expected == 1) {
          model.owner = id;
          model.depth = 1;
          if (model.state == MUTEX_CONSISTENT) model.state = MUTEX_INCONSISTENT;
        }
      } else {
        got = mutexMarkConsistent(m, id);
        if (model.owner != id) expected = NOT_OWNER;
        else if (model.state != MUTEX_INCONSISTENT) expected = BAD_ARGUMENT;
        else {
          expected = ACQUIRED;
          model.state = MUTEX_CONSISTENT;
        }
      }
      if (got != expected) { p.fail("operation " + what.toString() + " by " + id.toString() + " answered " + got.toString() + ", model " + expected.toString()); return; }
      if (mutexOwner(m) != model.owner || mutexState(m) != model.state) { p.fail("owner " + mutexOwner(m).toString() + " state " + mutexState(m).toString() + ", model " + model.owner.toString() + " " + model.state.toString()); return; }
      if (!w.canariesIntact()) { p.fail("a canary beside the mutex changed"); return; }
    }
  }
}

export function semaphoreMatchesModel(rng: Rng, p: Property): void {
  for (let round = 0; round < 20; round++) {
    const w = new Window(SEMAPHORE_SIZE, 700 + round);
    const s = w.base;
    let value: u32 = rng.chance(20) ? SEM_MAX - rng.below(4) : rng.below(4);
    if (semInit(s, SEM_MAX + 1) != -1) { p.fail("semInit took a value past the maximum"); return; }
    if (semInit(s, value) != 0) { p.fail("semInit refused " + value.toString()); return; }
    for (let op = 0; op < 200; op++, p.operations++) {
      if (rng.chance(50)) {
        const got = semTryWait(s);
        if (got != (value > 0 ? 1 : 0)) { p.fail("tryWait answered " + got.toString() + " at value " + value.toString()); return; }
        if (value > 0) value--;
      } else {
        const count = rng.chance(10) ? SEM_MAX : rng.below(3);
        const got = semPost(s, count);
        const overflows = <u64>value + count > <u64>SEM_MAX;
        if (got != (overflows ? -1 : 0)) { p.fail("post of " + count.toString() + " at value " + value.toString() + " answered " + got.toString()); return; }
        if (!overflows) value += count;
      }
      if (semValue(s) != value) { p.fail("value " + semValue(s).toString() + ", model " + value.toString()); return; }
      if (!w.canariesIntact()) { p.fail("a canary beside the semaphore changed"); return; }
    }
  }
}

export function syncUnderCorruption(rng: Rng, p: Property): void {
  for (let round = 0; round < 40; round++) {
    const mw = new Window(MUTEX_SIZE, 800 + round);
    const sw = new Window(SEMAPHORE_SIZE, 900 + round);
    mutexInit(mw.base, rng.chance(50) ? MUTEX_RECURSIVE : MUTEX_NORMAL);
    semInit(sw.base, rng.below(4));
    for (let op = 0; op < 100; op++, p.operations++) {
      if (rng.chance(20)) mw.corrupt(rng, MUTEX_SIZE);
      if (rng.chance(20)) sw.corrupt(rng, SEMAPHORE_SIZE);
      const id = 1 + rng.below(IDS);
      const got = mutexTryLock(mw.base, id, rng.chance(30));
      const known = got == ACQUIRED || got == ACQUIRED_AGAIN || got == NOT_RECOVERABLE || got == WOULD_DEADLOCK || (got > 0 && <u32>got <= ID_MASK);
      if (!known) { p.fail("tryLock over corrupt words answered " + got.toString()); return; }
      const unlocked = mutexUnlock(mw.base, 1 + rng.below(IDS));
      if (unlocked != NOT_OWNER && (unlocked < 0 || unlocked > 2)) { p.fail("unlock over corrupt words answered " + unlocked.toString()); return; }
      if (mutexOwner(mw.base) > ID_MASK) { p.fail("an owner past the id mask"); return; }
      const taken = semTryWait(sw.base);
      const posted = semPost(sw.base, rng.below(3));
      if ((taken != 0 && taken != 1) || posted < -1) { p.fail("the semaphore over corrupt words answered " + taken.toString() + ", " + posted.toString()); return; }
      if (!mw.canariesIntact() || !sw.canariesIntact()) { p.fail("a canary beside a corrupt mutex or semaphore changed"); return; }
    }
  }
}
