// Synchronisation primitives that live in shared memory. None of them ever
// waits: each returns what the host needs to decide whether to sleep, on
// which word, and whom to wake (host/sync/*.ts).
export { markWaiting, ID_MASK, WAITERS } from "./ids";
export {
  mutexInit, mutexTryLock, mutexTakeOver, mutexMarkConsistent, mutexState, mutexOwner, mutexUnlock, MUTEX_SIZE,
} from "./mutex";
export { semInit, semTryWait, semPost, semSleepBegin, semSleepEnd, semValue, SEMAPHORE_SIZE } from "./semaphore";
export { condInit, condWaitBegin, condWaitEnd, condSignal, CONDVAR_SIZE } from "./condvar";
export { barrierInit, barrierArrive, barrierPassed, barrierBreak, barrierBroken, BARRIER_SIZE } from "./barrier";
export { eventInit, eventSet, eventReset, eventTryWait, eventSleepBegin, eventSleepEnd, EVENT_SIZE } from "./event";
export { onceBegin, onceTakeOver, onceFinish, onceWord, ONCE_SIZE } from "./once";
export {
  rwInit, rwTryRead, rwReaderId, rwReapReader, READER_SLOTS, rwReadUnlock, rwReadWaiting, rwTryWriterWord, rwReadersLeft, rwTakeOverWriter, rwOwnerDied, rwMarkConsistent,
  rwWriteUnlock, rwWriter, rwReaders, RWLOCK_SIZE, R_WRITER,
} from "./rwlock";
export { seqInit, seqWrite, seqRead, seqWriter, seqRecover, seqSequence, SEQLOCK_HEADER } from "./seqlock";
