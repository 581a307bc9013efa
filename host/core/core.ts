// The protocol core's embedding ABI, the same in every host: instantiate
// build/core.wasm with `env.memory` (a shared WebAssembly.Memory of at most
// 65536 pages) and nothing else. The core never allocates, never blocks and
// has no data segments, so any number of instances may share one memory.

/** Raw exports of core.wasm. Addresses and lengths are byte offsets in the memory. */
export interface CoreExports {
  coreInit(firstUnit: number, limitUnits: number): number;
  coreStaticsEnd(): number;
  arenaJoin(): number;
  arenaInstances(): number;
  arenaUsedUnits(): number;
  arenaLimitUnits(): number;
  windowClaim(count: number, align: number, phase: number): number;
  windowRelease(first: number, count: number): number;
  patternFill(address: number, length: number, offset: number): void;
  patternMatchLength(address: number, length: number, offset: number): number;
  crc32(address: number, length: number, crc: number): number;
  fnv1a64(address: number, length: number, out: number): void;
  layoutStruct(members: number, count: number, packed: number, explicitAlign: number, result: number): number;
  gather(src: number, stride: number, size: number, count: number, dst: number): void;
  scatter(dst: number, stride: number, size: number, count: number, src: number): void;
  formatPeek(seg: number): number;
  formatClaim(seg: number, pid: number): number;
  formatInitPid(seg: number): number;
  formatTakeOver(seg: number, deadPid: number, pid: number): number;
  formatInit(seg: number, size: bigint, pid: number, dirCapacity: number, entrySize: number): number;
  formatCheck(seg: number, mappedSize: bigint): number;
  dirEntry(seg: number, slot: number): number;
  dirCapacity(seg: number): number;
  dirGeneration(seg: number): number;
  dirTryLock(seg: number, pid: number): number;
  dirStealLock(seg: number, deadPid: number, pid: number): number;
  dirUnlock(seg: number, pid: number): number;
  dirFind(seg: number, name: number, nameLength: number): number;
  dirCreate(
    seg: number, pid: number, name: number, nameLength: number, kind: number, size: bigint, align: number,
    layoutHash: bigint, layout: number, layoutLength: number, elementSize: number, count: number,
  ): number;
  dirRemove(seg: number, pid: number, slot: number): number;
  CORE_ABI_VERSION: WebAssembly.Global;
  arenaNextId(): number;
  // Synchronisation (assembly/sync/*.ts): none of these wait.
  markWaiting(word: number, owner: number): number;
  mutexInit(m: number, kind: number): number;
  mutexTryLock(m: number, id: number, contended: number): number;
  mutexTakeOver(m: number, deadOwner: number, id: number): number;
  mutexMarkConsistent(m: number, id: number): number;
  mutexState(m: number): number;
  mutexOwner(m: number): number;
  mutexUnlock(m: number, id: number): number;
  semInit(s: number, value: number): number;
  semTryWait(s: number): number;
  semPost(s: number, count: number): number;
  semSleepBegin(s: number): void;
  semSleepEnd(s: number): void;
  semValue(s: number): number;
  condInit(c: number): void;
  condWaitBegin(c: number): number;
  condWaitEnd(c: number): void;
  condSignal(c: number): number;
  barrierInit(b: number, parties: number): number;
  barrierArrive(b: number): number;
  barrierPassed(b: number, generation: number): number;
  barrierBreak(b: number): void;
  barrierBroken(b: number): number;
  eventInit(e: number, autoReset: number, initiallySet: number): void;
  eventSet(e: number): number;
  eventReset(e: number): void;
  eventTryWait(e: number): number;
  eventSleepBegin(e: number): void;
  eventSleepEnd(e: number): void;
  onceBegin(o: number, id: number): number;
  onceTakeOver(o: number, deadRunner: number, id: number): number;
  onceFinish(o: number, succeeded: number): number;
  onceWord(o: number): number;
  rwInit(r: number): void;
  rwTryRead(r: number, id: number): number;
  rwReaderId(r: number, slot: number): number;
  rwReapReader(r: number, slot: number, deadId: number): number;
  rwReadUnlock(r: number, id: number): number;
  rwReadWaiting(r: number): number;
  rwTryWriterWord(r: number, id: number, contended: number): number;
  rwReadersLeft(r: number, id: number): number;
  rwTakeOverWriter(r: number, deadWriter: number, id: number): number;
  rwOwnerDied(r: number): number;
  rwMarkConsistent(r: number, id: number): number;
  rwWriteUnlock(r: number, id: number): number;
  rwWriter(r: number): number;
  rwReaders(r: number): number;
  seqInit(q: number, capacity: number): void;
  seqWrite(q: number, id: number, src: number, length: number): number;
  seqRead(q: number, dst: number, length: number): number;
  seqWriter(q: number): number;
  seqRecover(q: number, deadWriter: number): number;
  seqSequence(q: number): number;
  // SPSC byte ring (assembly/channel/spsc.ts): none of these wait.
  spscInit(r: number, capacity: number): number;
  spscCapacity(r: number): number;
  spscMaxMessage(r: number): number;
  spscAcquire(r: number, role: number, id: number): number;
  spscTakeOver(r: number, role: number, deadHolder: number, id: number): number;
  spscLeave(r: number, role: number, id: number): number;
  spscHolder(r: number, role: number): number;
  spscClaim(r: number, length: number): number;
  spscClaimMany(r: number, slots: number, count: number): number;
  spscClaimSame(r: number, slots: number, length: number, count: number): number;
  spscClaimCopies(r: number, source: number, length: number, count: number): number;
  spscCommit(r: number): number;
  spscUncommitted(r: number): number;
  spscPeek(r: number): number;
  spscPeekMany(r: number, max: number, addresses: number, lengths: number): number;
  spscLength(payload: number): number;
  spscRelease(r: number): number;
  spscUnreleased(r: number): number;
  spscUsed(r: number): number;
  spscSleepBegin(r: number, role: number): void;
  spscSleepEnd(r: number, role: number): void;
  spscSleepValue(r: number, role: number): number;
  // MPMC queue of fixed-size slots (assembly/channel/mpmc.ts): none of these wait.
  mpmcInit(q: number, slots: number, slotSize: number): number;
  mpmcSlots(q: number): number;
  mpmcSlotSize(q: number): number;
  mpmcLength(q: number): number;
  mpmcLost(q: number): number;
  mpmcClose(q: number): number;
  mpmcClosed(q: number): number;
  mpmcEnded(q: number): number;
  mpmcClaim(q: number, id: number): number;
  mpmcPublish(q: number, payload: number, id: number): number;
  mpmcTake(q: number, id: number): number;
  mpmcRelease(q: number, payload: number, id: number): number;
  mpmcStuck(q: number, side: number): number;
  mpmcReclaim(q: number, side: number, deadHolder: number, id: number): number;
  mpmcSleepValue(q: number, side: number): number;
  // Broadcast channel (assembly/channel/broadcast.ts): none of these wait.
  bcastSize(slots: number, slotSize: number, maxReaders: number): number;
  bcastInit(b: number, slots: number, slotSize: number, maxReaders: number, mode: number): number;
  bcastSlots(b: number): number;
  bcastSlotSize(b: number): number;
  bcastMaxReaders(b: number): number;
  bcastMode(b: number): number;
  bcastPublished(b: number): number;
  bcastAcquireWriter(b: number, id: number): number;
  bcastTakeOverWriter(b: number, deadHolder: number, id: number): number;
  bcastLeaveWriter(b: number, id: number): number;
  bcastWriter(b: number): number;
  bcastClaim(b: number, length: number): number;
  bcastCommit(b: number): number;
  bcastSubscribe(b: number, id: number): number;
  bcastReaderHolder(b: number, i: number): number;
  bcastUnsubscribe(b: number, i: number, holder: number): number;
  bcastReadBegin(b: number, i: number): number;
  bcastLength(b: number, payload: number): number;
  bcastReadEnd(b: number, i: number): number;
  bcastTakeSkipped(b: number, i: number): number;
  bcastBacklog(b: number, i: number): number;
  bcastSleepValue(b: number, who: number): number;
}

/** Layout constants the core exports, so hosts never restate them. */
export type CoreConstant =
  | 'HEADER_SIZE' | 'H_MAGIC' | 'H_VERSION' | 'H_TOTAL_SIZE' | 'H_CREATOR_PID' | 'H_DIR_CAPACITY' | 'H_HEAP_OFFSET'
  | 'FORMAT_VERSION' | 'MAX_PID'
  | 'ENTRY_SIZE' | 'E_STATE' | 'E_KIND' | 'E_OFFSET' | 'E_SIZE' | 'E_ALIGN' | 'E_NAME_LENGTH' | 'E_LAYOUT_HASH'
  | 'E_LAYOUT_OFFSET' | 'E_LAYOUT_LENGTH' | 'E_ELEMENT_SIZE' | 'E_COUNT' | 'E_NAME' | 'MAX_NAME'
  | 'MEMBER_SIZE' | 'RESULT_SIZE'
  | 'MUTEX_SIZE' | 'SEMAPHORE_SIZE' | 'CONDVAR_SIZE' | 'BARRIER_SIZE' | 'EVENT_SIZE' | 'ONCE_SIZE' | 'RWLOCK_SIZE'
  | 'R_WRITER' | 'READER_SLOTS' | 'SEQLOCK_HEADER' | 'ID_MASK'
  | 'SPSC_HEADER' | 'SPSC_TAIL' | 'SPSC_HEAD' | 'SPSC_CLOSED'
  | 'MPMC_HEADER' | 'MPMC_SLOT_HEADER' | 'MPMC_PUSH_SIGNAL' | 'MPMC_POP_SIGNAL'
  | 'BCAST_HEADER' | 'BCAST_READ_SIGNAL' | 'BCAST_PROGRESS' | 'BCAST_CLOSED';

export function coreConstant(core: CoreExports, name: CoreConstant): number {
  return (core as unknown as Record<CoreConstant, WebAssembly.Global>)[name].value as number;
}

/** Status codes returned by the arena exports (assembly/arena.ts). */
export const ArenaStatus = {
  ok: 0,
  noSpace: -1,
  badArgument: -2,
  notInitialised: -3,
  stateOverflow: -4,
} as const;

/** Size of one arena unit: a Wasm page. */
export const UNIT_SIZE = 65536;
export const CORE_ABI_VERSION = 6;

/** Instantiates the core on `memory`. Synchronous: the module is small. */
export function instantiateCore(module: WebAssembly.Module, memory: WebAssembly.Memory): CoreExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const core = instance.exports as unknown as CoreExports;
  const version = core.CORE_ABI_VERSION.value as number;
  if (version !== CORE_ABI_VERSION) {
    throw new Error(`core.wasm has ABI version ${version}, this host expects ${CORE_ABI_VERSION}; rebuild with \`npm run build\``);
  }
  return core;
}
