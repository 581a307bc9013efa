// What the producer and consumer handles of an SPSC ring share: holding the
// role, closing it, and waiting for the other side (it is asleep only when
// it said so; a dead or departed side ends the wait with a clear answer).
import { ShmError, brokenPipe } from '../errors.js';
import { coreConstant, coreConstants, type CoreConstants, type CoreExports } from '../core/core.js';
import { corruption } from '../core/corruption.js';
import type { CoreMemory } from '../core/core-memory.js';
import { refClass, type StructRef } from '../struct/accessors.js';
import type { StructType } from '../struct/struct.js';
import { Deadline, LivenessSlices, Spinner, spinThenSleep, waitSync, type Steps, type WaitHost, type WaitOptions } from '../wait/index.js';

export const PRODUCER = 'producer';
export const CONSUMER = 'consumer';
export type Role = typeof PRODUCER | typeof CONSUMER;

/** The core's code for `role`, as its spsc calls take it. */
export function roleCode(core: CoreExports, role: Role): number {
  return coreConstant(core, role === PRODUCER ? 'SPSC_PRODUCER' : 'SPSC_CONSUMER');
}

/** A ring's place, as its role handles see it. */
export interface RingAccess<RecordType extends StructType = StructType> {
  core: CoreExports;
  memory: CoreMemory;
  host: WaitHost;
  /** Byte offset of the ring's header. */
  at: number;
  /** The role handle's own descriptor of the ring (assembly/channel/spsc.ts), held for `owner`. */
  d: number;
  owner: object;
  maxMessage: number;
  /** The struct type of its records, when the ring was made with one. */
  record: RecordType | undefined;
}

/** Most messages one claimMany() or peekMany() handles. */
export const MAX_BATCH = 4096;
/** Most bytes one sendPacked() core call copies (it takes larger inputs in steps of this). */
export const STAGING = 64 << 10;

export abstract class SpscRole<RecordType extends StructType = StructType> implements Disposable {
  protected readonly core: CoreExports;
  /** The core's numbers: offsets and the codes its calls return. */
  protected readonly constants: CoreConstants;
  protected readonly memory: CoreMemory;
  protected readonly host: WaitHost;
  protected readonly at: number;
  /** This handle's descriptor: every core call takes it. */
  protected readonly d: number;
  /**
   * The whole shared memory as bytes: batch offsets index into it. One view
   * made once, so no call allocates one (the ring lies inside it: the
   * memory never shrinks).
   */
  readonly bytes: Uint8Array;
  readonly #record: RecordType | undefined;
  #recordRef: StructRef<RecordType> | undefined;
  #scratchUnits: Uint8Array | undefined;
  #slots: Uint32Array | undefined;
  /** slots()' byte offset as a number: reading a view's byteOffset costs ~20 ns on Node 20 (shared buffers). */
  #slotsAt = 0;
  readonly #role: Role;
  readonly #roleCode: number;
  readonly #peerCode: number;
  readonly #id: number;
  readonly #closedWord: number;
  /** The word this side publishes to (the other side sleeps on it), and the one it sleeps on. */
  protected readonly publishWord: number;
  readonly #sleepWord: number;
  /** How long this side's waits spin before they sleep. */
  readonly #spinner: Spinner;
  /** Why this handle refuses calls: closed (EBADF) or corruption seen (ECORRUPT); undefined while usable. */
  #refusal: ShmError | undefined;

  protected constructor(ring: RingAccess<RecordType>, role: Role) {
    ({ core: this.core, memory: this.memory, host: this.host, at: this.at, d: this.d, record: this.#record } = ring);
    this.memory.descriptors.hand(ring.owner, this, this.d); // the descriptor lives as long as this handle
    this.bytes = new Uint8Array(this.memory.memory.buffer);
    this.constants = coreConstants(this.core);
    this.#role = role;
    this.#roleCode = roleCode(this.core, role);
    this.#peerCode = roleCode(this.core, role === PRODUCER ? CONSUMER : PRODUCER);
    this.#id = ring.host.id;
    this.#closedWord = this.constants.SPSC_CLOSED;
    const tail = this.at + this.constants.SPSC_TAIL;
    const head = this.at + this.constants.SPSC_HEAD;
    this.publishWord = role === PRODUCER ? tail : head;
    this.#sleepWord = role === PRODUCER ? head : tail;
    this.#spinner = new Spinner(this.core);
  }

  get closed(): boolean {
    return this.#refusal?.code === 'EBADF';
  }

  /**
   * Bytes this role has moved over the ring's whole life: committed (a
   * producer) or released (a consumer), records and padding. It only grows,
   * and the role's next holder starts from what was really moved, so noting
   * it before a commit or release tells afterwards, even after a crash,
   * whether that step happened (the NATS bridge's exactly-once handover).
   */
  get moved(): bigint {
    this.assertOpen();
    return BigInt.asUintN(64, this.core.spscMoved(this.d, this.#roleCode));
  }

  /**
   * Gives the role up; the other side then sees it closed (a consumer reads
   * what is left, then the end; a producer gets EPIPE, reason 'peer-closed',
   * once the ring is full).
   * Uncommitted claims are dropped, unreleased peeks come again to the next
   * consumer. Closing twice is harmless.
   */
  close(): void {
    if (this.closed) return;
    this.#refusal = new ShmError({ code: 'EBADF', message: `this SPSC ${this.#role} handle is closed; acquire the role again` });
    // The descriptor stays this handle's until it is collected, so a late call can reach nothing else.
    this.core.spscLeave(this.d, this.#roleCode, this.#id);
    if (this.#scratchUnits) this.memory.freeArray(this.#scratchUnits);
    this.host.wake(this.publishWord, 1); // a sleeping peer learns it now, not a slice later
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * 2 × MAX_BATCH u32s in the core's memory, where the core reads and
   * writes batches in place (the first half of this handle's scratch).
   */
  protected slots(): Uint32Array {
    if (this.#slots === undefined) {
      const scratch = this.#scratch();
      this.#slotsAt = scratch.byteOffset;
      this.#slots = new Uint32Array(scratch.buffer, this.#slotsAt, 2 * MAX_BATCH);
    }
    return this.#slots;
  }

  /** Byte offset of slots() in the memory, for core calls. */
  protected slotsAt(): number {
    if (this.#slots === undefined) this.slots();
    return this.#slotsAt;
  }

  /** STAGING bytes in the core's memory, where the core copies messages from (the scratch's second half). */
  protected staging(): Uint8Array {
    return this.#scratch().subarray(STAGING);
  }

  // Made on first use: two 64 KiB units, returned on close.
  #scratch(): Uint8Array {
    return (this.#scratchUnits ??= this.memory.allocateArray(Uint8Array, 2 * STAGING));
  }

  /** The ring's record type; EINVAL when it carries raw bytes. */
  protected recordType(): RecordType {
    if (this.#record === undefined) throw new ShmError({ code: 'EINVAL', message: 'this SPSC ring carries raw bytes: make it with { record: structType } to send records' });
    return this.#record;
  }

  /** One StructRef of the record type, moved to `offset`: records then cost no allocation. */
  protected recordAt(offset: number): StructRef<RecordType> {
    const ref = (this.#recordRef ??= new (refClass(this.recordType(), true, new DataView(this.memory.memory.buffer)))(offset) as StructRef<RecordType>);
    ref.$offset = offset;
    return ref;
  }

  /** The other side has closed its role (and nobody took it since). */
  protected peerLeft(): boolean {
    return this.#peer() === this.#closedWord;
  }

  #peer(): number {
    return this.core.spscHolder(this.d, this.#peerCode) >>> 0;
  }

  protected assertOpen(): void {
    if (this.#refusal) throw this.#refusal;
  }

  /** The core found the ring's bytes broken: this handle refuses every call from now on. */
  protected corrupt(): never {
    this.#refusal = corruption(this.core, this.d, `the SPSC ring at offset ${this.at}`);
    throw this.#refusal;
  }

  /** Publishes what this side holds (commit or release), so a waiting peer can move. */
  protected abstract publish(): void;

  /** The other side left cleanly and this side cannot go on: a result (null), or throw. */
  protected abstract peerClosed(): null;

  /**
   * Tries `attempt` (spinning first), then sleeps on the peer's cursor until
   * it succeeds: its value, or null on timeout or peerClosed(). A peer that
   * died is asked after each quiet liveness slice, and ends the wait (EPIPE,
   * reason 'peer-died').
   */
  protected *waitFor<T>(attempt: () => T | null, options: WaitOptions): Steps<T | null> {
    return yield* spinThenSleep(this.#spinner, options.spin, new Deadline(options.timeoutMs), attempt, (deadline) => this.sleepFor(attempt, deadline));
  }

  /** waitFor() for a Sync form (waitSync): `sleep` is sleepFor() on `attempt`, both made once per handle, so a wait the spin ends allocates nothing. */
  protected waitForSync<T>(attempt: () => T | null, sleep: (deadline: Deadline) => Steps<T | null>, options: WaitOptions | undefined): T | null {
    return waitSync(this.#spinner, options, attempt, sleep, this.host);
  }

  /** waitFor()'s sleeping part. */
  protected *sleepFor<T>(attempt: () => T | null, deadline: Deadline): Steps<T | null> {
    this.publish(); // unpublished work of ours could be what the peer waits for
    this.core.spscSleepBegin(this.d, this.#roleCode);
    try {
      const slices = new LivenessSlices(this.core);
      let sliceExpired = false;
      for (;;) {
        // The peer and the word to sleep on are read before the attempt:
        // whatever the peer published before leaving, dying or changing the
        // word is then seen by this attempt (or the last one below).
        const peer = this.#peer();
        const value = this.core.spscSleepValue(this.d, this.#roleCode);
        const got = attempt();
        if (got !== null) return got;
        if (peer === this.#closedWord) return this.peerClosed();
        if (sliceExpired && peer !== 0 && !this.host.isAlive(peer)) {
          const last = attempt();
          if (last !== null) return last;
          throw brokenPipe('peer-died', `the SPSC ring's ${this.#role === PRODUCER ? CONSUMER : PRODUCER} (thread ${peer}) died; nobody will ${this.#role === PRODUCER ? 'make room' : 'send'} until another acquires the role`);
        }
        if (deadline.passed) return null;
        sliceExpired = slices.quiet(yield { offset: this.#sleepWord, value, timeoutMs: deadline.left(slices.ms) });
      }
    } finally {
      this.core.spscSleepEnd(this.d, this.#roleCode);
    }
  }
}
