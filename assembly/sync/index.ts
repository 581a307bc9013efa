// Synchronisation primitives that live in shared memory. None of them ever
// waits: each returns what the host needs to decide whether to sleep, on
// which word, and whom to wake (host/sync/*.ts).
export {
  markWaiting, ID_MASK, WAITERS, ACQUIRED, ACQUIRED_AGAIN, NOT_RECOVERABLE, WOULD_DEADLOCK, NOT_OWNER, BAD_ARGUMENT,
} from "./ids";
export {
  mutexInit, mutexTryLock, mutexTakeOver, mutexMarkConsistent, mutexState, mutexOwner, mutexUnlock,
  MUTEX_SIZE, MUTEX_WORD, MUTEX_STATE, MUTEX_DEPTH, MUTEX_KIND, MUTEX_NORMAL, MUTEX_RECURSIVE,
  MUTEX_CONSISTENT, MUTEX_INCONSISTENT, MUTEX_UNRECOVERABLE, MUTEX_WAKE_ONE, MUTEX_WAKE_ALL,
} from "./mutex";
export {
  semInit, semTryWait, semPost, semSleepBegin, semSleepEnd, semValue,
  SEMAPHORE_SIZE, SEMAPHORE_VALUE, SEMAPHORE_SLEEPERS, SEMAPHORE_MAX_VALUE, SEMAPHORE_OVERFLOW,
} from "./semaphore";
export { condInit, condWaitBegin, condWaitEnd, condSignal, CONDVAR_SIZE, CONDVAR_SEQUENCE, CONDVAR_SLEEPERS } from "./condvar";
export {
  barrierInit, barrierArrive, barrierPassed, barrierBreak, barrierBroken,
  BARRIER_SIZE, BARRIER_WORD, BARRIER_PARTIES, BARRIER_BROKEN_FLAG, BARRIER_GENERATION_SHIFT, BARRIER_MAX_PARTIES,
  BARRIER_LAST, BARRIER_BROKEN, BARRIER_BAD_PARTIES,
} from "./barrier";
export {
  eventInit, eventSet, eventReset, eventTryWait, eventSleepBegin, eventSleepEnd,
  EVENT_SIZE, EVENT_STATE, EVENT_AUTO_RESET, EVENT_SLEEPERS,
} from "./event";
export { onceBegin, onceTakeOver, onceFinish, onceWord, ONCE_SIZE, ONCE_WORD, ONCE_DONE_FLAG, ONCE_RUN, ONCE_DONE } from "./once";
export {
  rwInit, rwTryRead, rwReaderId, rwReapReader, rwReadUnlock, rwReadWaiting, rwTryWriterWord, rwReadersLeft, rwTakeOverWriter,
  rwOwnerDied, rwMarkConsistent, rwWriteUnlock, rwWriter, rwReaders,
  RWLOCK_SIZE, RWLOCK_STATE, RWLOCK_WRITER, RWLOCK_DIED, RWLOCK_READER_IDS, RWLOCK_READER_SLOTS,
  RWLOCK_STATE_WRITER, RWLOCK_STATE_READERS, RWLOCK_STATE_READERS_WAITING, RWLOCK_WRITER_DRAINING,
  RWLOCK_WAKE_READERS, RWLOCK_WAKE_WRITER,
} from "./rwlock";
export {
  seqInit, seqWrite, seqRead, seqWriter, seqRecover, seqSequence,
  SEQLOCK_HEADER, SEQLOCK_SEQUENCE, SEQLOCK_WRITER, SEQLOCK_CAPACITY, SEQ_RETRY, SEQ_OK, SEQ_TOO_LONG,
} from "./seqlock";
