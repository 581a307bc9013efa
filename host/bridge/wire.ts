// What one NATS message of a bridge carries: a batch of channel messages.
//
//   payload: ┌────────────┬───────────┬────────────┬───────────┬─ ─ ─
//            │ length u32 │ bytes …   │ length u32 │ bytes …   │
//            └────────────┴───────────┴────────────┴───────────┴─ ─ ─
//            +0           +4          +4+len₀ …    (lengths little-endian)
//
//   headers: Shmkit-Batch   "<sender>.<first>.<count>": the sending bridge's
//                           run id, the index of the batch's first message
//                           in that run, how many it holds (gaps = loss)
//            Shmkit-Layout  the record layout hash, 16 hex digits (absent for raw bytes)
//            Nats-Msg-Id    JetStream only: "<checkpoint key>:<first>", the
//                           same for a batch sent again after a restart
//
// The payload comes off the network: decodeBatch bounds every length by
// what is left and by the receiving channel's largest message, and by the
// count the header states, before it becomes a view.
import { ShmError } from '../errors.js';

export const HEADER_BATCH = 'Shmkit-Batch';
export const HEADER_LAYOUT = 'Shmkit-Layout';
export const HEADER_MSG_ID = 'Nats-Msg-Id';

/** Batches hold at most this many messages (a header's count above it is corruption). */
export const MAX_BATCH_MESSAGES = 1 << 16;

const LENGTH_BYTES = 4;

/** Fills one outgoing payload; reused, so a batch costs no allocation but its final copy. */
export class BatchWriter {
  #buffer: Uint8Array;
  #view: DataView;
  #used = 0;
  #count = 0;

  constructor(initialBytes: number) {
    this.#buffer = new Uint8Array(initialBytes);
    this.#view = new DataView(this.#buffer.buffer);
  }

  get count(): number {
    return this.#count;
  }

  get bytes(): number {
    return this.#used;
  }

  /** Bytes a message of `length` adds. */
  static cost(length: number): number {
    return LENGTH_BYTES + length;
  }

  add(message: Uint8Array): void {
    const need = this.#used + LENGTH_BYTES + message.length;
    if (need > this.#buffer.length) this.#grow(need);
    this.#view.setUint32(this.#used, message.length, true);
    this.#buffer.set(message, this.#used + LENGTH_BYTES);
    this.#used = need;
    this.#count++;
  }

  /** The payload so far, copied (the client keeps it until it is written), and an empty writer. */
  take(): Uint8Array {
    const payload = this.#buffer.slice(0, this.#used);
    this.#used = 0;
    this.#count = 0;
    return payload;
  }

  #grow(need: number): void {
    const bigger = new Uint8Array(Math.max(need, this.#buffer.length * 2));
    bigger.set(this.#buffer.subarray(0, this.#used));
    this.#buffer = bigger;
    this.#view = new DataView(bigger.buffer);
  }
}

export interface BatchId {
  sender: string;
  first: number;
  count: number;
}

export function formatBatchId(id: BatchId): string {
  return `${id.sender}.${id.first}.${id.count}`;
}

/** The Shmkit-Batch header, or a ShmError (ECORRUPT) saying what is wrong with it. */
export function parseBatchId(value: string | undefined): BatchId {
  const match = value === undefined ? null : /^([A-Za-z0-9_-]{1,64})\.(\d{1,15})\.(\d{1,6})$/.exec(value);
  if (!match) throw corrupt(`its ${HEADER_BATCH} header is ${value === undefined ? 'missing' : JSON.stringify(value.slice(0, 80))}`);
  const count = Number(match[3]);
  if (count < 1 || count > MAX_BATCH_MESSAGES) throw corrupt(`its ${HEADER_BATCH} header counts ${count} messages (1 to ${MAX_BATCH_MESSAGES})`);
  return { sender: match[1]!, first: Number(match[2]), count };
}

export function formatLayout(hash: bigint): string | undefined {
  return hash === 0n ? undefined : hash.toString(16).padStart(16, '0');
}

/**
 * The messages of a payload, as views into it: exactly `count` of them,
 * each at most `maxMessage` bytes, filling the payload to its end.
 */
export function decodeBatch(payload: Uint8Array, count: number, maxMessage: number): Uint8Array[] {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const messages: Uint8Array[] = [];
  let at = 0;
  while (at < payload.length) {
    if (messages.length === count) throw corrupt(`it holds more than the ${count} messages its header counts`);
    if (payload.length - at < LENGTH_BYTES) throw corrupt(`it ends inside a length, at byte ${at}`);
    const length = view.getUint32(at, true);
    at += LENGTH_BYTES;
    if (length > payload.length - at) throw corrupt(`message ${messages.length} claims ${length} bytes, ${payload.length - at} are left`);
    if (length > maxMessage) throw new ShmError({ code: 'EMSGSIZE', message: `a bridged message of ${length} bytes is larger than the channel's largest (${maxMessage}); give the receiving side a larger channel` });
    messages.push(payload.subarray(at, at + length));
    at += length;
  }
  if (messages.length !== count) throw corrupt(`it holds ${messages.length} messages, its header counts ${count}`);
  return messages;
}

function corrupt(what: string): ShmError {
  return new ShmError({ code: 'ECORRUPT', message: `a NATS message is no shmkit batch: ${what}; is another program publishing on the bridge's subject?` });
}
