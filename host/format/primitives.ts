// The primitives a formatted segment makes by name: each checks its
// arguments, says what its entry records (size, layout, the parameter it
// was made with), and how to create and open one at a place.
import { invalidArgument } from '../errors.js';
import { checkInteger, checkOptions } from '../core/validate.js';
import { StructType } from '../struct/struct.js';
import { Barrier } from '../sync/barrier.js';
import { Condition } from '../sync/condvar.js';
import { Event, type EventOptions } from '../sync/event.js';
import { Mutex, type MutexOptions } from '../sync/mutex.js';
import { Once } from '../sync/once.js';
import { RwLock } from '../sync/rwlock.js';
import { Semaphore } from '../sync/semaphore.js';
import { SeqLock } from '../sync/seqlock.js';
import { SpscRing } from '../channel/spsc-ring.js';
import { MpmcQueue, type QueueShape } from '../channel/mpmc-queue.js';
import { Broadcast, type BroadcastOptions } from '../channel/broadcast.js';
import type { Directory } from './directory.js';
import { openPrimitive } from './objects.js';

export function mutexIn(dir: Directory, name: string, options: MutexOptions = {}): Mutex {
  const { recursive } = checkOptions<MutexOptions>(options, ['recursive'], 'mutex');
  if (recursive !== undefined && typeof recursive !== 'boolean') invalidArgument(`mutex: recursive must be true or false: recursive=${String(recursive)}`);
  const recursiveKind = dir.constant('MUTEX_RECURSIVE');
  const kind = { value: recursive ? recursiveKind : dir.constant('MUTEX_NORMAL'), asked: true, what: (value: number) => (value === recursiveKind ? 'a recursive mutex' : 'a plain (not recursive) mutex') };
  return openPrimitive(dir, name, 'mutex', dir.constant('MUTEX_SIZE'), (place) => Mutex.create(place, { recursive: recursive ?? false }), (place) => Mutex.open(place, recursive), { param: kind });
}

export function semaphoreIn(dir: Directory, name: string, value?: number): Semaphore {
  if (value !== undefined) checkInteger(value, 'value', 0, dir.constant('SEMAPHORE_MAX_VALUE'), 'semaphore');
  const initial = { value: value ?? 0, asked: value !== undefined, what: (count: number) => `made with ${count} tokens` };
  return openPrimitive(dir, name, 'semaphore', dir.constant('SEMAPHORE_SIZE'), (place) => Semaphore.create(place, value ?? 0), Semaphore.open, { param: initial });
}

export function conditionIn(dir: Directory, name: string): Condition {
  return openPrimitive(dir, name, 'condition', dir.constant('CONDVAR_SIZE'), Condition.create, Condition.open);
}

export function barrierIn(dir: Directory, name: string, parties: number): Barrier {
  checkInteger(parties, 'parties', 1, dir.constant('BARRIER_MAX_PARTIES'), 'barrier');
  const count = { value: parties, asked: true, what: (n: number) => `a barrier of ${n} parties` };
  return openPrimitive(dir, name, 'barrier', dir.constant('BARRIER_SIZE'), (place) => Barrier.create(place, parties), Barrier.open, { param: count });
}

export function eventIn(dir: Directory, name: string, options: EventOptions = {}): Event {
  const { autoReset } = checkOptions<EventOptions>(options, ['autoReset', 'initiallySet'], 'event');
  if (autoReset !== undefined && typeof autoReset !== 'boolean') invalidArgument(`event: autoReset must be true or false: autoReset=${String(autoReset)}`);
  const mode = { value: autoReset ? 1 : 0, asked: autoReset !== undefined, what: (value: number) => (value ? 'an auto-reset event' : 'a manual-reset event') };
  return openPrimitive(dir, name, 'event', dir.constant('EVENT_SIZE'), (place) => Event.create(place, options), Event.open, { param: mode });
}

export function onceIn(dir: Directory, name: string): Once {
  return openPrimitive(dir, name, 'once', dir.constant('ONCE_SIZE'), Once.create, Once.open);
}

export function rwlockIn(dir: Directory, name: string): RwLock {
  return openPrimitive(dir, name, 'rwlock', dir.constant('RWLOCK_SIZE'), RwLock.create, RwLock.open);
}

export function seqlockIn(dir: Directory, name: string, capacity: number): SeqLock {
  checkInteger(capacity, 'capacity', 1, 1 << 24, 'seqlock');
  return openPrimitive(dir, name, 'seqlock', dir.constant('SEQLOCK_HEADER') + capacity, (place) => SeqLock.create(place, capacity), (place) => SeqLock.open(place, capacity));
}

export function ringIn(dir: Directory, name: string, capacity: number, options: { record?: StructType } = {}): SpscRing {
  const { record } = checkOptions<{ record?: StructType }>(options, ['record'], 'ring');
  if (record !== undefined && !(record instanceof StructType)) invalidArgument('record: give a struct type made by struct()');
  return openPrimitive(dir, name, 'ring', SpscRing.bytesFor(capacity, record), (place) => SpscRing.create(place, capacity, record), (place) => SpscRing.open(place, record), { layout: record });
}

export function queueIn(dir: Directory, name: string, shape: QueueShape): MpmcQueue {
  const { slots, slotSize } = checkOptions<QueueShape>(shape, ['slots', 'slotSize'], 'queue');
  return openPrimitive(dir, name, 'queue', MpmcQueue.bytesFor(slots, slotSize), (place) => MpmcQueue.create(place, slots, slotSize), (place) => MpmcQueue.open(place, shape));
}

export function broadcastIn(dir: Directory, name: string, options: BroadcastOptions): Broadcast {
  return openPrimitive(dir, name, 'broadcast', Broadcast.bytesFor(options), (place) => Broadcast.create(place, options), (place) => Broadcast.open(place, options));
}
