// Synchronisation in shared memory: one algorithm per primitive (in the
// core), any host's way of waiting (futex on Linux, Atomics elsewhere).
export { Mutex, type LockResult, type MutexOptions } from './mutex.js';
export { type Guard } from './guard.js';
export { Semaphore } from './semaphore.js';
export { Condition, type ConditionResult } from './condvar.js';
export { Barrier, type BarrierResult } from './barrier.js';
export { Event, type EventOptions } from './event.js';
export { Once, type OnceResult } from './once.js';
export { RwLock } from './rwlock.js';
export { SeqLock } from './seqlock.js';
export { type Place } from './place.js';
export { type WaitHost, type WaitOptions, type WaitResult } from '../wait/index.js';
export { atomicsWaitHost } from '../wait/atomics-wait-host.js';
