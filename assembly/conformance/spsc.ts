// The SPSC ring against a model of its bytes: every claim is placed where
// the model says (padding at the end, a terminator after it), is refused
// exactly when the model finds no room, and every message comes out whole,
// in order; then the same calls over a ring whose bytes a peer corrupts.
import {
  SPSC_CONSUMER, SPSC_CORRUPT, SPSC_CORRUPT_COUNT, SPSC_HEADER, SPSC_NONE, SPSC_PRODUCER, SPSC_RECORD_HEADER, SPSC_TOO_LONG,
  spscAcquire, spscClaim, spscClaimMany, spscCommit, spscHolder, spscInit, spscLength, spscMaxMessage, spscOpen,
  spscPeek, spscPeekMany, spscRelease, spscSize, spscTakeOver, spscUnreleased, spscUsed,
  spscSend, spscReceive, SPSC_WAKE_PEER,
} from "../channel/spsc";
import { FAULT_NONE, descFault } from "../descriptor";
import { Rng } from "./prng";
import { Property } from "./property";
import { Window, allocate, descriptor } from "./window";
import { fillPayload, payloadMatches } from "./payload";

const PRODUCER_ID: u32 = 1;
const CONSUMER_ID: u32 = 2;
const CAPACITIES: u32[] = [64, 128, 256, 1024, 4096];
const BATCH: u32 = 8;

// @ts-ignore: decorator
@inline function recordSize(length: u32): u64 {
  return (<u64>length + SPSC_RECORD_HEADER + 7) & ~(<u64>7);
}

/** A ring in its own fenced window, with a producer and a consumer descriptor. */
class Ring {
  readonly window: Window;
  readonly capacity: u32;
  readonly producer: usize = descriptor();
  readonly consumer: usize = descriptor();

  constructor(capacity: u32, salt: u32) {
    this.capacity = capacity;
    this.window = new Window(spscSize(capacity), salt);
    spscInit(this.window.base, this.window.end, capacity);
  }

  /** Opens both sides and takes both roles, from whoever the role words name; false when the ring's bytes fail the checks. */
  open(): bool {
    for (let role: u32 = SPSC_PRODUCER; role <= SPSC_CONSUMER; role++) {
      const d = role == SPSC_PRODUCER ? this.producer : this.consumer;
      if (spscOpen(d, this.window.base, this.window.end) != FAULT_NONE) return false;
      const id = role == SPSC_PRODUCER ? PRODUCER_ID : CONSUMER_ID;
      if (spscAcquire(d, role, id) != 0) spscTakeOver(d, role, spscHolder(d, role), id);
    }
    return true;
  }

  /** Opens the ring, formatting it anew when its bytes fail the checks (a host refuses such a ring; it is never used). */
  reopen(): void {
    if (this.open()) return;
    spscInit(this.window.base, this.window.end, this.capacity);
    this.open();
  }
}

function messageLength(rng: Rng, maxMessage: u32): u32 {
  if (rng.chance(5)) return maxMessage + 1 + rng.below(8);
  if (rng.chance(60)) return rng.below(24);
  return rng.below(maxMessage + 1);
}

/** The model: byte positions and the messages between them. */
class RingModel {
  claimed: u64 = 0;
  tail: u64 = 0;
  peeked: u64 = 0;
  head: u64 = 0;
  ends: u64[] = [];
  lengths: u32[] = [];
  committed: i32 = 0;
  nextPeek: i32 = 0;
}

export function spscMatchesModel(rng: Rng, p: Property): void {
  for (let round = 0; round < 6; round++) {
    const capacity = CAPACITIES[rng.below(CAPACITIES.length)];
    const ring = new Ring(capacity, round);
    if (!ring.open()) { p.fail("a fresh ring of capacity " + capacity.toString() + " did not open"); return; }
    const model = new RingModel();
    const mask = <u64>(capacity - 1);
    const data = ring.window.base + SPSC_HEADER;
    const maxMessage = spscMaxMessage(ring.producer);
    if (maxMessage != (capacity >> 1) - SPSC_RECORD_HEADER) { p.fail("maxMessage " + maxMessage.toString() + " for capacity " + capacity.toString()); return; }
    for (let op = 0; op < 600; op++, p.operations++) {
      const what = rng.below(10);
      if (what < 4) {
        const length = messageLength(rng, maxMessage);
        const got = spscClaim(ring.producer, length);
        if (length > maxMessage) {
          if (got != SPSC_TOO_LONG) { p.fail("a claim of " + length.toString() + " > maxMessage was not TOO_LONG"); return; }
          continue;
        }
        const size = recordSize(length);
        const toEnd = <u64>capacity - (model.claimed & mask);
        const end = model.claimed + (size > toEnd ? toEnd : 0) + size;
        if (end + SPSC_RECORD_HEADER - model.head > <u64>capacity) {
          if (got != SPSC_NONE) { p.fail("a claim of " + length.toString() + " succeeded where the model has no room"); return; }
          continue;
        }
        const expected = data + <usize>((end - size) & mask) + SPSC_RECORD_HEADER;
        if (got != expected) { p.fail("a claim of " + length.toString() + " at claimed=" + model.claimed.toString() + " returned " + got.toString() + ", model " + expected.toString()); return; }
        fillPayload(got, length, model.lengths.length);
        model.claimed = end;
        model.ends.push(end);
        model.lengths.push(length);
      } else if (what < 6) {
        spscCommit(ring.producer);
        model.tail = model.claimed;
        model.committed = model.lengths.length;
      } else if (what < 9) {
        const got = spscPeek(ring.consumer);
        if (model.nextPeek == model.committed) {
          if (got != SPSC_NONE) { p.fail("a peek found a message the model has not committed"); return; }
          continue;
        }
        const i = model.nextPeek;
        const length = model.lengths[i];
        const expected = data + <usize>((model.ends[i] - recordSize(length)) & mask) + SPSC_RECORD_HEADER;
        if (got != expected || spscLength(ring.consumer) != length) { p.fail("message " + i.toString() + " peeked at " + got.toString() + " length " + spscLength(ring.consumer).toString() + ", model " + expected.toString() + " length " + length.toString()); return; }
        if (!payloadMatches(got, length, i)) { p.fail("message " + i.toString() + " came out changed"); return; }
        model.peeked = model.ends[i];
        model.nextPeek++;
      } else {
        if (<u64>spscUnreleased(ring.consumer) != model.peeked - model.head) { p.fail("unreleased bytes differ from the model"); return; }
        spscRelease(ring.consumer);
        model.head = model.peeked;
      }
      if (<u64>spscUsed(ring.producer) != model.tail - model.head) { p.fail("used " + spscUsed(ring.producer).toString() + ", model " + (model.tail - model.head).toString()); return; }
      if (!ring.window.canariesIntact()) { p.fail("a canary beside the ring changed"); return; }
    }
  }
}

export function spscUnderCorruption(rng: Rng, p: Property): void {
  const slots = allocate(BATCH * 4, 4);
  const lengths = allocate(BATCH * 4, 4);
  const source = allocate(BATCH * 4096, 16);
  for (let round = 0; round < 40; round++) {
    const capacity = CAPACITIES[rng.below(CAPACITIES.length)];
    const ring = new Ring(capacity, 100 + round);
    ring.reopen();
    const w = ring.window;
    // Where fused receives copy to: exactly the largest message, fenced by canaries.
    const dest = new Window(capacity >> 1, 200 + round);
    for (let op = 0; op < 300; op++, p.operations++) {
      if (rng.chance(15)) w.corrupt(rng, SPSC_HEADER);
      const what = rng.below(14);
      let d = ring.producer;
      let corrupt = false;
      if (what < 3) {
        const length = messageLength(rng, capacity >> 1);
        const got = spscClaim(d, length);
        if (got == SPSC_CORRUPT) corrupt = true;
        else if (got != SPSC_NONE && got != SPSC_TOO_LONG) {
          if (!w.holds(got, length)) { p.fail("a claim handed out " + length.toString() + " bytes at " + got.toString() + ", outside the window"); return; }
          fillPayload(got, length, op);
        }
      } else if (what < 4) {
        for (let i: u32 = 0; i < BATCH; i++) store<u32>(slots + (<usize>i << 2), rng.below(capacity >> 2));
        const n = spscClaimMany(d, slots, BATCH);
        if (n == SPSC_CORRUPT_COUNT) corrupt = true;
        for (let i = 0; i < n; i++) {
          const at = <usize>load<u32>(slots + (<usize>i << 2));
          if (!w.holds(at, 0)) { p.fail("a batch claim handed out an address outside the window"); return; }
        }
      } else if (what < 6) {
        spscCommit(d);
      } else if (what < 8) {
        d = ring.consumer;
        const got = spscPeek(d);
        if (got == SPSC_CORRUPT) corrupt = true;
        else if (got != SPSC_NONE) {
          const length = spscLength(d);
          if (!w.holds(got, length)) { p.fail("a peek handed out " + length.toString() + " bytes at " + got.toString() + ", outside the window"); return; }
          payloadMatches(got, length, 0);
        }
      } else if (what < 9) {
        d = ring.consumer;
        const n = spscPeekMany(d, BATCH, slots, lengths);
        if (n == SPSC_CORRUPT_COUNT) corrupt = true;
        for (let i = 0; i < n; i++) {
          if (!w.holds(<usize>load<u32>(slots + (<usize>i << 2)), <usize>load<u32>(lengths + (<usize>i << 2)))) { p.fail("a batch peek handed out bytes outside the window"); return; }
        }
      } else if (what < 11) {
        d = ring.consumer;
        spscRelease(d);
      } else if (what < 12) {
        ring.reopen();
        spscUsed(d);
      } else if (what < 13) {
        const n = spscSend(d, source, rng.below(capacity >> 2), 1 + rng.below(BATCH));
        if (n == SPSC_CORRUPT_COUNT) corrupt = true;
      } else {
        d = ring.consumer;
        const n = spscReceive(d, dest.base, capacity >> 1, BATCH, lengths);
        if (n == SPSC_CORRUPT_COUNT) corrupt = true;
        else if (n >= 0) {
          let total: u64 = 0;
          for (let i = 0; i < (n & ~SPSC_WAKE_PEER); i++) total += <u64>load<u32>(lengths + (<usize>i << 2));
          if (total > <u64>(capacity >> 1)) { p.fail("a fused receive reported more bytes than its destination holds"); return; }
        }
        if (!dest.canariesIntact()) { p.fail("a fused receive wrote outside its destination"); return; }
      }
      if (corrupt && descFault(d) == FAULT_NONE) { p.fail("CORRUPT was answered with no fault recorded"); return; }
      if (!w.canariesIntact()) { p.fail("a canary beside the ring changed (operation " + what.toString() + ")"); return; }
    }
  }
}
