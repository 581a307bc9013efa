// What a bridge counts, for `stats` events and `shmkit bridge --stats`.

export interface Counters {
  /** Channel messages published to NATS. */
  sent: number;
  /** NATS messages published (each a batch). */
  batches: number;
  /** Channel messages that came from NATS. */
  received: number;
  /** Of those, messages written into the channel. */
  written: number;
  /** Messages seen twice and dropped: JetStream redeliveries, batches JetStream already had. */
  duplicates: number;
  /** Messages that never arrived (gaps in a sender's numbering: core NATS is at-most-once). */
  lost: number;
  /** Publishes or fetches tried again after a failure. */
  retries: number;
}

export function zeroCounters(): Counters {
  return { sent: 0, batches: 0, received: 0, written: 0, duplicates: 0, lost: 0, retries: 0 };
}
