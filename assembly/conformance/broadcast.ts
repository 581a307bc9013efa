// The broadcast channel against a model of its cursors: in backpressure
// mode the writer is refused exactly when the slowest reader is a ring
// behind and every reader reads every message in order; in lossy mode the
// writer never waits, and an overrun reader resumes at the oldest message
// the writer cannot be overwriting and counts exactly what it skipped.
// Then the same calls over a channel whose bytes a peer corrupts.
import {
  BCAST_BACKPRESSURE, BCAST_CORRUPT, BCAST_HEADER, BCAST_LOSSY, BCAST_NONE, BCAST_NO_READER, BCAST_READ_CORRUPT,
  BCAST_READ_OK, BCAST_TOO_LONG,
  bcastAcquireWriter, bcastBacklog, bcastClaim, bcastCommit, bcastInit, bcastLength, bcastOpen, bcastReadBegin,
  bcastReadEnd, bcastSize, bcastSlotSize, bcastSubscribe, bcastTakeOverWriter, bcastTakeSkipped, bcastUnsubscribe, bcastWriter,
} from "../channel/broadcast";
import { FAULT_NONE, descFault } from "../descriptor";
import { fillPayload, payloadMatches } from "./payload";
import { Rng } from "./prng";
import { Property } from "./property";
import { Window, descriptor } from "./window";

const WRITER_ID: u32 = 1;
const READER_ID: u32 = 10;
// Each reader table entry is a cache line.
const READER_ENTRY: usize = 64;

class Channel {
  readonly window: Window;
  readonly writer: usize = descriptor();
  readonly readers: usize[] = [];
  readonly slots: u32;
  readonly slotSize: u32;
  readonly maxReaders: u32;
  readonly mode: u32;

  constructor(rng: Rng, salt: u32) {
    const slots: u32 = 1 << (1 + rng.below(4));
    const slotSize: u32 = 8 * (1 + rng.below(8));
    const maxReaders: u32 = 1 + rng.below(3);
    this.slots = slots;
    this.slotSize = slotSize;
    this.maxReaders = maxReaders;
    this.mode = rng.chance(50) ? BCAST_LOSSY : BCAST_BACKPRESSURE;
    this.window = new Window(bcastSize(slots, slotSize, maxReaders), salt);
    for (let i: u32 = 0; i < this.maxReaders; i++) this.readers.push(descriptor());
    this.format();
  }

  get headerBytes(): usize {
    return <usize>BCAST_HEADER + <usize>this.maxReaders * READER_ENTRY;
  }

  format(): void {
    bcastInit(this.window.base, this.window.end, this.slots, this.slotSize, this.maxReaders, this.mode);
    this.open();
  }

  /** Opens the writer and every reader (subscribed anew); false when the bytes fail the checks. */
  open(): bool {
    if (bcastOpen(this.writer, this.window.base, this.window.end) != FAULT_NONE) return false;
    if (bcastAcquireWriter(this.writer, WRITER_ID) != 0) bcastTakeOverWriter(this.writer, bcastWriter(this.writer), WRITER_ID);
    for (let i = 0; i < this.readers.length; i++) {
      const d = this.readers[i];
      if (bcastOpen(d, this.window.base, this.window.end) != FAULT_NONE) return false;
      bcastUnsubscribe(d, i, READER_ID + i);
      bcastSubscribe(d, READER_ID + i);
    }
    return true;
  }

  /** Opens again; formats anew when the bytes fail the checks (a host refuses such a channel). */
  reopen(): void {
    if (!this.open()) this.format();
  }
}

export function broadcastMatchesModel(rng: Rng, p: Property): void {
  for (let round = 0; round < 10; round++) {
    const c = new Channel(rng, 400 + round);
    const n = c.readers.length;
    const lossy = c.mode == BCAST_LOSSY;
    const extra = descriptor();
    bcastOpen(extra, c.window.base, c.window.end);
    if (bcastSubscribe(extra, READER_ID + n) != BCAST_NO_READER) { p.fail("a full reader table took one more reader"); return; }
    const cursors: u64[] = [];
    for (let i = 0; i < n; i++) cursors.push(0);
    let published: u64 = 0;
    for (let op = 0; op < 500; op++, p.operations++) {
      if (rng.below(100) < (lossy ? 60 : 45)) {
        const length = rng.chance(5) ? c.slotSize + 1 : rng.below(c.slotSize + 1);
        const got = bcastClaim(c.writer, length);
        let slowest = published;
        for (let i = 0; i < n; i++) if (cursors[i] < slowest) slowest = cursors[i];
        if (length > c.slotSize) {
          if (got != BCAST_TOO_LONG) { p.fail("a claim longer than a slot was not TOO_LONG"); return; }
        } else if (!lossy && published - slowest >= <u64>c.slots) {
          if (got != BCAST_NONE) { p.fail("the writer overwrote a message the slowest reader has not read"); return; }
        } else {
          if (got <= BCAST_CORRUPT || !c.window.holds(got, length)) { p.fail("a claim with room returned " + got.toString()); return; }
          fillPayload(got, length, <i32>published);
          bcastCommit(c.writer);
          published++;
        }
      } else {
        const i = rng.below(n);
        const d = c.readers[i];
        let expected = cursors[i];
        let skipped: u64 = 0;
        if (published >= <u64>c.slots && expected < published - c.slots) {
          if (!lossy) { p.fail("a backpressure reader was overrun"); return; }
          skipped = published - c.slots + 1 - expected;
          expected += skipped;
        }
        const got = bcastReadBegin(d);
        if (expected == published) {
          if (got != BCAST_NONE) { p.fail("reader " + i.toString() + " found a message past the last published"); return; }
          continue;
        }
        const length = bcastLength(d);
        if (got <= BCAST_CORRUPT || !payloadMatches(got, length, <i32>expected)) { p.fail("reader " + i.toString() + " did not get message " + expected.toString()); return; }
        const flags = bcastReadEnd(d);
        if (!(flags & BCAST_READ_OK)) { p.fail("an intact read was not confirmed"); return; }
        const told = <u64>bcastTakeSkipped(d);
        if (told != skipped) { p.fail("reader " + i.toString() + " was told it skipped " + told.toString() + ", model " + skipped.toString()); return; }
        cursors[i] = expected + 1;
      }
      for (let i = 0; i < n; i++) {
        const backlog = <u64>bcastBacklog(c.readers[i]);
        if (backlog != published - cursors[i]) { p.fail("reader " + i.toString() + " backlog " + backlog.toString() + ", model " + (published - cursors[i]).toString()); return; }
      }
      if (!c.window.canariesIntact()) { p.fail("a canary beside the channel changed"); return; }
    }
  }
}

export function broadcastUnderCorruption(rng: Rng, p: Property): void {
  for (let round = 0; round < 40; round++) {
    const c = new Channel(rng, 500 + round);
    const w = c.window;
    let claimed = false;
    const reading: bool[] = [];
    for (let i = 0; i < c.readers.length; i++) reading.push(false);
    for (let op = 0; op < 300; op++, p.operations++) {
      if (rng.chance(15)) w.corrupt(rng, c.headerBytes);
      const what = rng.below(10);
      let d = c.writer;
      let corrupt = false;
      if (what < 3) {
        if (claimed) {
          bcastCommit(d);
          claimed = false;
        } else {
          // A reopen may have found another shape that fits the window: the descriptor's is the one in force.
          const slotSize = bcastSlotSize(d);
          const got = bcastClaim(d, rng.below(slotSize + 2));
          if (got == BCAST_CORRUPT) corrupt = true;
          else if (got != BCAST_NONE && got != BCAST_TOO_LONG) {
            if (!w.holds(got, slotSize)) { p.fail("a claim handed out a slot outside the window: " + got.toString()); return; }
            fillPayload(got, slotSize, op);
            claimed = true;
          }
        }
      } else if (what < 7) {
        const i = rng.below(c.readers.length);
        d = c.readers[i];
        if (reading[i]) {
          if (bcastReadEnd(d) & BCAST_READ_CORRUPT) corrupt = true;
          bcastTakeSkipped(d);
          reading[i] = false;
        } else {
          const got = bcastReadBegin(d);
          if (got == BCAST_CORRUPT) corrupt = true;
          else if (got != BCAST_NONE) {
            const length = bcastLength(d);
            if (length > bcastSlotSize(d) || !w.holds(got, length)) { p.fail("a read handed out " + length.toString() + " bytes at " + got.toString() + ", outside its slot or the window"); return; }
            payloadMatches(got, length, 0);
            reading[i] = true;
          }
        }
      } else if (what < 8) {
        const i = rng.below(c.readers.length);
        bcastBacklog(c.readers[i]);
        bcastUnsubscribe(c.readers[i], i, READER_ID + i);
        bcastSubscribe(c.readers[i], READER_ID + i);
        reading[i] = false;
      } else {
        c.reopen();
        claimed = false;
        for (let i = 0; i < reading.length; i++) reading[i] = false;
      }
      if (corrupt && descFault(d) == FAULT_NONE) { p.fail("CORRUPT was answered with no fault recorded"); return; }
      if (!w.canariesIntact()) { p.fail("a canary beside the channel changed (operation " + what.toString() + ")"); return; }
    }
  }
}
