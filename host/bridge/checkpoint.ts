// What a JetStream bridge of an SPSC ring keeps in the ring's segment, so
// that a bridge killed at any instant and started again neither loses nor
// repeats a message. It lives beside the ring (object "<ring>.nats"), so it
// survives the bridge and goes with the segment.
//
//   ┌──────────────────────────────────────────────────────┐ +0
//   │ magic          u64  "shmkbrd1"                         │
//   │ key            u64  random, fixed at creation: Nats-Msg-Id prefix
//   ├──────────────── outward (the bridge consumes the ring) ┤ +16
//   │ outNext        u64  messages released after JetStream stored them
//   │ outPending     u64  messages of the batch in flight (0: none)
//   │ outHeadBefore  u64  consumer.moved noted before publishing that batch
//   ├──────────────── inward (the bridge produces into the ring) ┤ +40
//   │ inSeq          u64  stream sequence whose first inDone messages are committed
//   │ inDone         u64
//   │ inPendingSeq   u64  the same, for the commit in progress
//   │ inPendingDone  u64
//   │ inTailBefore   u64  producer.moved noted before that commit
//   └──────────────────────────────────────────────────────┘ +80
//
// The handover rule: a step's intent is written before the step, and
// `moved` (which only grows, and which the role's next holder starts from
// what truly happened) tells on restart whether the step happened. The
// bytes are shared, so every value is checked before it is believed.
import { ShmError } from '../errors.js';
import type { ManagedSegment } from '../format/managed.js';
import { MAX_BATCH_MESSAGES } from './wire.js';

const MAGIC = 0x3164726b626d6873n; // "shmkbrd1", little-endian
const enum Slot { Magic, Key, OutNext, OutPending, OutHeadBefore, InSeq, InDone, InPendingSeq, InPendingDone, InTailBefore, Count }

export class Checkpoint {
  readonly #words: BigUint64Array;
  readonly #where: string;
  readonly key: string;

  private constructor(words: BigUint64Array, where: string) {
    this.#words = words;
    this.#where = where;
    if (words.every((w) => w === 0n)) {
      const random = new BigUint64Array(1);
      do crypto.getRandomValues(random); while (random[0] === 0n);
      words[Slot.Key] = random[0]!;
      words[Slot.Magic] = MAGIC;
    }
    if (words[Slot.Magic] !== MAGIC || words[Slot.Key] === 0n) throw corrupt(where, 'its magic or key');
    this.key = words[Slot.Key]!.toString(16).padStart(16, '0');
  }

  // Another process may write these words at any moment: every count is
  // bounded where it is read, not once.
  #count(slot: Slot): number {
    const value = this.#words[slot]!;
    if (value > BigInt(MAX_BATCH_MESSAGES)) throw corrupt(this.#where, 'a batch count');
    return Number(value);
  }

  /** The checkpoint of ring `name` in `segment`, made on first use. */
  static of(segment: ManagedSegment, name: string): Checkpoint {
    const where = `${name}.nats`;
    const bytes = segment.findOrCreate(where, { bytes: Slot.Count * 8, align: 8 });
    return new Checkpoint(new BigUint64Array(bytes.buffer, bytes.byteOffset, Slot.Count), where);
  }

  // ── outward ────────────────────────────────────────────────────────────

  /** Index of the next message to publish, after settling a release a crash may have cut short (`moved`: the consumer's now). */
  outStart(moved: bigint): { next: number; resend: number } {
    const w = this.#words;
    const pending = this.#count(Slot.OutPending);
    if (pending > 0 && moved > w[Slot.OutHeadBefore]!) {
      w[Slot.OutNext] = w[Slot.OutNext]! + BigInt(pending); // released before the crash
      w[Slot.OutPending] = 0n;
      return { next: Number(w[Slot.OutNext]), resend: 0 };
    }
    return { next: Number(w[Slot.OutNext]), resend: pending }; // still at the ring's head: send exactly it again
  }

  /** A batch of `count` messages is about to be published; `moved`: the consumer's now, before its release. */
  outPublishing(count: number, moved: bigint): void {
    this.#words[Slot.OutHeadBefore] = moved;
    this.#words[Slot.OutPending] = BigInt(count);
  }

  outReleased(): void {
    const w = this.#words;
    w[Slot.OutNext] = w[Slot.OutNext]! + w[Slot.OutPending]!;
    w[Slot.OutPending] = 0n;
  }

  // ── inward ─────────────────────────────────────────────────────────────

  /** Settles a commit a crash may have cut short (`moved`: the producer's now). */
  inStart(moved: bigint): void {
    const w = this.#words;
    if (w[Slot.InPendingSeq]! < w[Slot.InSeq]!) throw corrupt(this.#where, 'its inward sequence numbers');
    const pending = w[Slot.InPendingSeq] !== w[Slot.InSeq] || this.#count(Slot.InPendingDone) !== this.#count(Slot.InDone);
    if (pending && moved > w[Slot.InTailBefore]!) this.#inCommitted();
    w[Slot.InPendingSeq] = w[Slot.InSeq]!;
    w[Slot.InPendingDone] = w[Slot.InDone]!;
  }

  /** How many leading messages of stream message `seq` are in the ring already (count: all). */
  inAlreadyDone(seq: number, count: number): number {
    const w = this.#words;
    const s = BigInt(seq);
    if (s < w[Slot.InSeq]!) return count;
    if (s === w[Slot.InSeq]) return Math.min(count, this.#count(Slot.InDone));
    return 0;
  }

  inCommitting(seq: number, done: number, moved: bigint): void {
    const w = this.#words;
    w[Slot.InTailBefore] = moved;
    w[Slot.InPendingDone] = BigInt(done);
    w[Slot.InPendingSeq] = BigInt(seq);
  }

  inCommitted(): void {
    this.#inCommitted();
  }

  #inCommitted(): void {
    const w = this.#words;
    w[Slot.InSeq] = w[Slot.InPendingSeq]!;
    w[Slot.InDone] = w[Slot.InPendingDone]!;
  }
}

function corrupt(where: string, what: string): ShmError {
  return new ShmError({ code: 'ECORRUPT', message: `the bridge checkpoint "${where}" holds an impossible value in ${what}; remove that object (seg.remove('${where}')) to start the bridge afresh, knowing messages in flight may then repeat` });
}
