// What a directory entry's `kind` word says the object is. The core does
// not interpret kinds (dirCreate stores the code it is given); they are
// defined here so that every host, and any program reading a segment,
// agrees on them. A code is never reused for another kind.

export const KIND_BYTES: u32 = 1;      // raw bytes
export const KIND_STRUCT: u32 = 2;     // one record of the stored layout
export const KIND_TABLE: u32 = 3;      // `count` records of `elementSize` bytes, of the stored layout
export const KIND_MUTEX: u32 = 4;      // sync/mutex.ts; the entry's count is the mutex kind
export const KIND_SEMAPHORE: u32 = 5;  // sync/semaphore.ts; count: the initial value
export const KIND_CONDVAR: u32 = 6;    // sync/condvar.ts
export const KIND_BARRIER: u32 = 7;    // sync/barrier.ts; count: the parties
export const KIND_EVENT: u32 = 8;      // sync/event.ts; count: 1 for auto reset
export const KIND_ONCE: u32 = 9;       // sync/once.ts
export const KIND_RWLOCK: u32 = 10;    // sync/rwlock.ts
export const KIND_SEQLOCK: u32 = 11;   // sync/seqlock.ts
export const KIND_SPSC: u32 = 12;      // channel/spsc.ts; a stored layout types its records
export const KIND_MPMC: u32 = 13;      // channel/mpmc.ts
export const KIND_BCAST: u32 = 14;     // channel/broadcast.ts
