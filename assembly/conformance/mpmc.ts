// The MPMC queue against a model of its positions: claims by several
// producers published in any order, takes by several consumers released in
// any order; a claim is refused exactly when its slot's previous lap is not
// released, a take exactly when its position is not published; messages
// come out in position order; close ends the stream. Then the same calls
// over a queue whose bytes a peer corrupts.
import {
  MPMC_BAD_PAYLOAD, MPMC_CLOSED, MPMC_CORRUPT, MPMC_HEADER, MPMC_NONE, MPMC_POP, MPMC_PUSH, MPMC_SLOT_HEADER,
  mpmcClaim, mpmcClose, mpmcInit, mpmcLength, mpmcOpen, mpmcPublish, mpmcReclaim, mpmcRelease, mpmcSize, mpmcSlotSize,
  mpmcStride, mpmcStuck, mpmcTake, mpmcSend, mpmcReceive, MPMC_CORRUPT_COUNT,
} from "../channel/mpmc";
import { FAULT_NONE, descFault } from "../descriptor";
import { fillPayload, payloadMatches } from "./payload";
import { Rng } from "./prng";
import { Property } from "./property";
import { Window, descriptor } from "./window";

const IDS: u32 = 4;

// What the model knows of a position.
const CLAIMED: u8 = 1;
const PUBLISHED: u8 = 2;
const TAKEN: u8 = 3;
const RELEASED: u8 = 4;

class Queue {
  readonly window: Window;
  readonly d: usize = descriptor();
  readonly slots: u32;
  readonly slotSize: u32;

  constructor(slots: u32, slotSize: u32, salt: u32) {
    this.slots = slots;
    this.slotSize = slotSize;
    this.window = new Window(mpmcSize(slots, slotSize), salt);
    this.format();
  }

  format(): void {
    mpmcInit(this.window.base, this.window.end, this.slots, this.slotSize);
    mpmcOpen(this.d, this.window.base, this.window.end);
  }

  /** Opens again; formats anew when the bytes fail the checks (a host refuses such a queue). */
  reopen(): void {
    if (mpmcOpen(this.d, this.window.base, this.window.end) != FAULT_NONE) this.format();
  }
}

/** A claim or take in flight: its position (or whether it is a take), its payload and its holder. */
class Held {
  position: u64;
  payload: usize;
  id: u32;

  constructor(position: u64, payload: usize, id: u32) {
    this.position = position;
    this.payload = payload;
    this.id = id;
  }
}

const CLAIM: u64 = 0;
const TAKE: u64 = 1;

export function mpmcMatchesModel(rng: Rng, p: Property): void {
  for (let round = 0; round < 6; round++) {
    const slots: u32 = 1 << (1 + rng.below(4));
    const slotSize: u32 = 1 + rng.below(40);
    const q = new Queue(slots, slotSize, 200 + round);
    // state[position] for every position handed out so far.
    const state: u8[] = [];
    const claims: Held[] = [];
    const takes: Held[] = [];
    let enqueue: u64 = 0;
    let dequeue: u64 = 0;
    let closed = false;
    for (let op = 0; op < 600; op++, p.operations++) {
      const what = rng.below(20);
      const id = 1 + rng.below(IDS);
      if (what < 6) {
        const got = mpmcClaim(q.d, id);
        const free = enqueue < <u64>slots || state[<i32>(enqueue - slots)] == RELEASED;
        if (closed) {
          if (got != MPMC_CLOSED) { p.fail("a claim on a closed queue was not CLOSED"); return; }
        } else if (!free) {
          if (got != MPMC_NONE) { p.fail("a claim at " + enqueue.toString() + " succeeded before the slot's last lap was released"); return; }
        } else {
          const payload = q.window.base + MPMC_HEADER + <usize>(enqueue & <u64>(slots - 1)) * mpmcStride(slotSize) + MPMC_SLOT_HEADER;
          if (got != payload) { p.fail("a claim at " + enqueue.toString() + " returned " + got.toString() + ", model " + payload.toString()); return; }
          fillPayload(got, slotSize, <i32>enqueue);
          claims.push(new Held(enqueue, got, id));
          state.push(CLAIMED);
          enqueue++;
        }
      } else if (what < 10) {
        if (claims.length == 0) continue;
        const held = claims.splice(rng.below(claims.length), 1)[0];
        if (mpmcPublish(q.d, held.payload, held.id == IDS ? 1 : held.id + 1) != -1) { p.fail("another producer's id published a claim"); return; }
        // The host hands in addresses too: one outside the slots is refused before anything is read there.
        const outside = rng.chance(50) ? q.window.end + MPMC_SLOT_HEADER + 8 * rng.below(8) : q.window.base + 8 * rng.below(<u32>MPMC_HEADER / 8 + 2);
        if (mpmcPublish(q.d, outside, held.id) != MPMC_BAD_PAYLOAD || mpmcRelease(q.d, held.payload + 4, held.id) != MPMC_BAD_PAYLOAD) { p.fail("a payload address outside the slots or misaligned was not BAD_PAYLOAD"); return; }
        if (mpmcPublish(q.d, held.payload, held.id) < 0) { p.fail("publishing the claim at " + held.position.toString() + " failed"); return; }
        state[<i32>held.position] = PUBLISHED;
      } else if (what < 15) {
        const got = mpmcTake(q.d, id);
        if (dequeue < enqueue && state[<i32>dequeue] == PUBLISHED) {
          if (got <= MPMC_CORRUPT || !payloadMatches(got, slotSize, <i32>dequeue)) { p.fail("the take at " + dequeue.toString() + " did not return its message (" + got.toString() + ")"); return; }
          takes.push(new Held(dequeue, got, id));
          state[<i32>dequeue] = TAKEN;
          dequeue++;
        } else if (closed && dequeue == enqueue) {
          if (got != MPMC_CLOSED) { p.fail("a take on a closed, drained queue was not CLOSED"); return; }
        } else if (got != MPMC_NONE) {
          p.fail("a take at " + dequeue.toString() + " returned " + got.toString() + " before the message there was published"); return;
        }
      } else if (what < 19) {
        if (takes.length == 0) continue;
        const held = takes.splice(rng.below(takes.length), 1)[0];
        if (mpmcRelease(q.d, held.payload, held.id) < 0) { p.fail("releasing the take at " + held.position.toString() + " failed"); return; }
        state[<i32>held.position] = RELEASED;
      } else if (rng.chance(10)) {
        if (mpmcClose(q.d) != (closed ? 0 : 1)) { p.fail("close did not say whether it closed"); return; }
        closed = true;
      }
      const length = enqueue - dequeue;
      if (<u64>mpmcLength(q.d) != length) { p.fail("length " + mpmcLength(q.d).toString() + ", model " + length.toString()); return; }
      if (!q.window.canariesIntact()) { p.fail("a canary beside the queue changed"); return; }
    }
  }
}

export function mpmcUnderCorruption(rng: Rng, p: Property): void {
  for (let round = 0; round < 40; round++) {
    const q = new Queue(1 << (1 + rng.below(4)), 1 + rng.below(40), 300 + round);
    const w = q.window;
    const held: Held[] = [];
    // Fused calls copy from and to here: four messages' room, fenced by canaries.
    const staging = new Window(4 * 40, 400 + round);
    for (let op = 0; op < 300; op++, p.operations++) {
      if (rng.chance(15)) w.corrupt(rng, MPMC_HEADER);
      const what = rng.below(12);
      const id = 1 + rng.below(IDS);
      let corrupt = false;
      if (what >= 10) {
        // Fused calls: their messages are published or released in the same call, never left held.
        const got = what == 10 ? mpmcSend(q.d, id, staging.base, 1 + rng.below(4)) : mpmcReceive(q.d, id, staging.base, <u32>staging.size, 1 + rng.below(8));
        if (got == MPMC_CORRUPT_COUNT) corrupt = true;
        if (!staging.canariesIntact()) { p.fail("a fused call wrote outside its staging bytes"); return; }
      } else if (what < 4) {
        const got = what < 2 ? mpmcClaim(q.d, id) : mpmcTake(q.d, id);
        if (got == MPMC_CORRUPT) corrupt = true;
        else if (got != MPMC_NONE && got != MPMC_CLOSED) {
          if (!w.holds(got, mpmcSlotSize(q.d))) { p.fail("a claim or take handed out a slot outside the window: " + got.toString()); return; }
          fillPayload(got, mpmcSlotSize(q.d), op);
          held.push(new Held(what < 2 ? CLAIM : TAKE, got, id));
        }
      } else if (what < 7) {
        if (held.length == 0) continue;
        const h = held.splice(rng.below(held.length), 1)[0];
        // A payload from an earlier geometry, or one a peer moved, must be refused, never followed.
        const payload = rng.chance(10) ? h.payload + rng.below(64) : h.payload;
        if (h.position == CLAIM) mpmcPublish(q.d, payload, h.id);
        else mpmcRelease(q.d, payload, h.id);
      } else if (what < 8) {
        const side = rng.chance(50) ? MPMC_PUSH : MPMC_POP;
        const stuck = mpmcStuck(q.d, side);
        if (stuck != 0) mpmcReclaim(q.d, side, stuck, id);
      } else if (what < 9) {
        mpmcLength(q.d);
        if (rng.chance(10)) mpmcClose(q.d);
      } else {
        q.reopen();
        held.length = 0;
      }
      if (corrupt && descFault(q.d) == FAULT_NONE) { p.fail("CORRUPT was answered with no fault recorded"); return; }
      if (!w.canariesIntact()) { p.fail("a canary beside the queue changed (operation " + what.toString() + ")"); return; }
    }
  }
}
