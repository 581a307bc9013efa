// struct timespec { time_t tv_sec; long tv_nsec; } (16 bytes on 64-bit Linux)
// for the calls that take a timeout.

const NS_PER_MS = 1_000_000;

function encode(ms: number, buffer: Uint8Array = new Uint8Array(16)): Uint8Array {
  // Two 32-bit halves instead of BigInts: this runs before every timed sleep.
  const view = new DataView(buffer.buffer, buffer.byteOffset, 16);
  const whole = Math.floor(ms);
  const seconds = Math.floor(whole / 1000);
  view.setUint32(0, seconds >>> 0, true);
  view.setUint32(4, Math.floor(seconds / 0x100000000), true);
  view.setUint32(8, (whole % 1000) * NS_PER_MS + Math.floor((ms - whole) * NS_PER_MS), true);
  view.setUint32(12, 0, true);
  return buffer;
}

/** A relative timeout (semtimedop, futex); negative counts as 0. Written into `into` when given. */
export function relativeTimespec(ms: number, into?: Uint8Array): Uint8Array {
  return encode(Math.max(0, ms), into);
}

/** An absolute CLOCK_REALTIME deadline `ms` from now (sem_timedwait). */
export function realtimeDeadline(ms: number): Uint8Array {
  return encode(Date.now() + Math.max(0, ms));
}
