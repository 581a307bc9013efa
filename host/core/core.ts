// The protocol core's embedding ABI, the same in every host: instantiate
// build/core.wasm with `env.memory` (a shared WebAssembly.Memory of at most
// 65536 pages) and nothing else. The core never allocates, never blocks and
// has no data segments, so any number of instances may share one memory.
import type { WasmGlobal, WasmMemory, WasmModule } from './wasm-types.js';

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
  formatInit(seg: number, size: bigint, pid: number, dirCapacity: number): number;
  // Descriptors (assembly/descriptor.ts): d is a DESCRIPTOR_SIZE block of private memory.
  descFault(d: number): number;
  formatOpen(d: number, seg: number, mappedSize: number): number;
  dirRead(d: number, slot: number, out: number): number;
  dirCapacity(d: number): number;
  dirGeneration(d: number): number;
  dirTryLock(d: number, pid: number): number;
  dirStealLock(d: number, deadPid: number, pid: number): number;
  dirUnlock(d: number, pid: number): number;
  dirFind(d: number, name: number, nameLength: number): number;
  dirCreate(
    d: number, pid: number, name: number, nameLength: number, kind: number, size: bigint, align: number,
    layoutHash: bigint, layout: number, layoutLength: number, elementSize: number, count: number,
  ): number;
  dirRemove(d: number, pid: number, slot: number): number;
  CORE_ABI_VERSION: WasmGlobal;
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
  // SPSC byte ring (assembly/channel/spsc.ts): none of these wait; all but init/size take an opened descriptor.
  spscSize(capacity: number): number;
  spscInit(r: number, end: number, capacity: number): number;
  spscOpen(d: number, r: number, end: number): number;
  spscCapacity(d: number): number;
  spscMaxMessage(d: number): number;
  spscAcquire(d: number, role: number, id: number): number;
  spscTakeOver(d: number, role: number, deadHolder: number, id: number): number;
  spscLeave(d: number, role: number, id: number): number;
  spscHolder(d: number, role: number): number;
  spscClaim(d: number, length: number): number;
  spscClaimMany(d: number, slots: number, count: number): number;
  spscClaimSame(d: number, slots: number, length: number, count: number): number;
  spscClaimCopies(d: number, source: number, length: number, count: number): number;
  spscCommit(d: number): number;
  spscUncommitted(d: number): number;
  spscPeek(d: number): number;
  spscPeekMany(d: number, max: number, addresses: number, lengths: number): number;
  spscLength(d: number): number;
  spscRelease(d: number): number;
  spscUnreleased(d: number): number;
  spscUsed(d: number): number;
  spscSleepBegin(d: number, role: number): void;
  spscSleepEnd(d: number, role: number): void;
  spscSleepValue(d: number, role: number): number;
  // MPMC queue of fixed-size slots (assembly/channel/mpmc.ts): none of these wait; all but init/size take an opened descriptor.
  mpmcSize(slots: number, slotSize: number): number;
  mpmcStride(slotSize: number): number;
  mpmcInit(q: number, end: number, slots: number, slotSize: number): number;
  mpmcOpen(d: number, q: number, end: number): number;
  mpmcSlots(d: number): number;
  mpmcSlotSize(d: number): number;
  mpmcLength(d: number): number;
  mpmcLost(d: number): number;
  mpmcClose(d: number): number;
  mpmcClosed(d: number): number;
  mpmcEnded(d: number): number;
  mpmcClaim(d: number, id: number): number;
  mpmcPublish(d: number, payload: number, id: number): number;
  mpmcTake(d: number, id: number): number;
  mpmcRelease(d: number, payload: number, id: number): number;
  mpmcStuck(d: number, side: number): number;
  mpmcReclaim(d: number, side: number, deadHolder: number, id: number): number;
  mpmcSleepValue(d: number, side: number): number;
  // Broadcast channel (assembly/channel/broadcast.ts): none of these wait; all but init/size take an opened descriptor.
  bcastSize(slots: number, slotSize: number, maxReaders: number): number;
  bcastInit(b: number, end: number, slots: number, slotSize: number, maxReaders: number, mode: number): number;
  bcastOpen(d: number, b: number, end: number): number;
  bcastSlots(d: number): number;
  bcastSlotSize(d: number): number;
  bcastMaxReaders(d: number): number;
  bcastMode(d: number): number;
  bcastPublished(d: number): number;
  bcastAcquireWriter(d: number, id: number): number;
  bcastTakeOverWriter(d: number, deadHolder: number, id: number): number;
  bcastLeaveWriter(d: number, id: number): number;
  bcastWriter(d: number): number;
  bcastClaim(d: number, length: number): number;
  bcastCommit(d: number): number;
  bcastSubscribe(d: number, id: number): number;
  bcastReaderHolder(d: number, i: number): number;
  bcastUnsubscribe(d: number, i: number, holder: number): number;
  bcastReadBegin(d: number): number;
  bcastLength(d: number): number;
  bcastReadEnd(d: number): number;
  bcastTakeSkipped(d: number): number;
  bcastBacklog(d: number): number;
  bcastSleepValue(d: number, who: number): number;
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
  | 'BCAST_HEADER' | 'BCAST_PUBLISHED' | 'BCAST_READ_SIGNAL' | 'BCAST_PROGRESS' | 'BCAST_CLOSED'
  | 'DESCRIPTOR_SIZE' | 'MAX_DIR_CAPACITY' | CoreFault
  | 'SPSC_NONE' | 'SPSC_TOO_LONG' | 'SPSC_CORRUPT' | 'SPSC_CORRUPT_COUNT' | 'SPSC_MIN_CAPACITY' | 'SPSC_MAX_CAPACITY'
  | 'MPMC_NONE' | 'MPMC_CLOSED' | 'MPMC_CORRUPT' | 'MPMC_BAD_PAYLOAD' | 'MPMC_MAX_SLOTS' | 'MPMC_MAX_SLOT_SIZE'
  | 'BCAST_NONE' | 'BCAST_TOO_LONG' | 'BCAST_CORRUPT' | 'BCAST_READ_CORRUPT' | 'BCAST_NO_READER'
  | 'FORMAT_OK' | 'FORMAT_BAD_MAGIC' | 'FORMAT_BAD_VERSION' | 'FORMAT_SIZE_MISMATCH' | 'FORMAT_TOO_SMALL'
  | 'FORMAT_NOT_OWNER' | 'FORMAT_CORRUPT' | 'FORMAT_BAD_ARGUMENT' | 'PEEK_FRESH' | 'PEEK_READY' | 'PEEK_WAIT' | 'PEEK_FOREIGN'
  | 'DIR_EXISTS' | 'DIR_FULL' | 'DIR_NO_SPACE' | 'DIR_NOT_LOCKED' | 'DIR_BAD_ARGUMENT' | 'DIR_CORRUPT'
  | 'DIR_READ_FREE' | 'DIR_READ_LIVE' | 'DIR_READ_MOVED';

/** The core's fault codes (assembly/descriptor.ts): which field of which layout was found corrupt. */
export type CoreFault =
  | 'FAULT_NONE' | 'FAULT_WINDOW' | 'FAULT_HEADER' | 'FAULT_DIR_ENTRY' | 'FAULT_SPSC_CAPACITY' | 'FAULT_SPSC_RECORD'
  | 'FAULT_SPSC_HEAD' | 'FAULT_SPSC_TAIL' | 'FAULT_MPMC_GEOMETRY' | 'FAULT_MPMC_CURSOR' | 'FAULT_BCAST_GEOMETRY'
  | 'FAULT_BCAST_SLOT' | 'FAULT_BCAST_CURSOR';

export function coreConstant(core: CoreExports, name: CoreConstant): number {
  return (core as unknown as Record<CoreConstant, WasmGlobal>)[name].value as number;
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
export const CORE_ABI_VERSION = 7;

/** Instantiates the core on `memory`. Synchronous: the module is small. */
export function instantiateCore(module: WasmModule, memory: WasmMemory): CoreExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const core = instance.exports as unknown as CoreExports;
  const version = core.CORE_ABI_VERSION.value as number;
  if (version !== CORE_ABI_VERSION) {
    throw new Error(`core.wasm has ABI version ${version}, this host expects ${CORE_ABI_VERSION}; rebuild with \`npm run build\``);
  }
  return core;
}
