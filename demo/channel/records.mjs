// The records the channel demo moves: one 64-byte C struct per reading.
import { struct, string } from 'shmkit';

export const Reading = struct('Reading', {
  sensor: 'u32',
  seq: 'u32',
  sentMs: 'f64', // wall clock at send, in ms with µs resolution (performance.timeOrigin + now)
  value: 'f64',
  label: string(36),
});

/** Per-consumer counters the parent reads for its progress line. */
export const Stats = struct('Stats', { received: 'f64', latencySumMs: 'f64', maxLatencyMs: 'f64', outOfOrder: 'u32', done: 'u32' });

// One consumer per ring (npm start -- --consumers N); on a 2-core machine one pair keeps both cores busy.
export const DEFAULT_CONSUMERS = 1;
export const MAX_CONSUMERS = 8;
// A small ring keeps the queue short, so latency is mostly transfer, not waiting in line.
export const RING_BYTES = 64 << 10;
export const SEGMENT_BYTES = 4 << 20;
/** How often consumers publish their counters. */
export const STATS_EVERY = 4096;

/** Milliseconds on a clock every process on this machine shares (µs resolution). */
export const nowMs = () => performance.timeOrigin + performance.now();
