// The protocol core's embedding ABI as a TypeScript host sees it. The
// contract itself is docs/ABI.md: what core.wasm imports and exports, the
// codes its calls return, how hosts sleep and wake for it, and the bytes of
// a segment. This file declares the same exports for TypeScript, and
// tests/abi.test.ts checks both against the built module, so neither can
// drift from it. Every number is the core's: hosts read them from the
// instantiated core (coreConstant) and restate none.
//
// build/core.wasm is a WASI preview1 reactor. Instantiate it with `env.memory` (a shared
// WebAssembly.Memory of at most 65536 pages, which it exports again as
// `memory`) and `wasi_snapshot_preview1` (the release build imports nothing
// from it, the checked build fd_write and proc_exit), then call
// `_initialize` once per instance. The core never allocates, never blocks,
// its `_initialize` stores nothing and the release build has no data
// segments, so any number of instances may share one memory.
import { ShmError } from '../errors.js';
import { corePreview1, type CoreWasi } from '../wasi/preview1.js';
import type { WasmGlobal, WasmMemory, WasmModule } from './wasm-types.js';

/** What core.wasm imports: one shared memory, at most 65536 pages. */
export type CoreImports = {
  env: { memory: WasmMemory };
};

/** The functions core.wasm exports. Addresses and lengths are byte offsets in the memory (u32: read results with `>>> 0`). */
export interface CoreFunctions {
  // the WASI reactor's entry (wasi-shim): stores nothing; instantiateCore calls it
  _initialize(): void;
  // assembly/index.ts
  coreStaticsEnd(): number;
  coreInit(firstUnit: number, limitUnits: number): number;
  // assembly/arena.ts
  arenaJoin(): number;
  arenaNextId(): number;
  arenaInstances(): number;
  arenaUsedUnits(): number;
  arenaLimitUnits(): number;
  windowClaim(count: number, align: number, phase: number): number;
  windowRelease(first: number, count: number): number;
  // assembly/pattern.ts
  patternFill(addr: number, len: number, offset: number): void;
  patternMatchLength(addr: number, len: number, offset: number): number;
  // assembly/checksum.ts
  crc32(addr: number, len: number, crc: number): number;
  // assembly/spin.ts
  spinBudgetNext(budgetNs: number, waitedNs: number, slept: number): number;
  // assembly/liveness.ts
  livenessSliceNext(sliceMs: number): number;
  // assembly/hash.ts
  fnv1a64(addr: number, len: number, out: number): void;
  // assembly/atomics.ts
  atomicAdd32(addr: number, delta: number): number;
  atomicLoad32(addr: number): number;
  atomicStore32(addr: number, value: number): void;
  atomicCompareExchange32(addr: number, expected: number, replacement: number): number;
  atomicAdd64(addr: number, delta: bigint): bigint;
  atomicLoad64(addr: number): bigint;
  // assembly/struct/layout.ts
  layoutStruct(members: number, count: number, packed: number, explicitAlign: number, result: number): number;
  // assembly/struct/columns.ts
  gather(src: number, stride: number, size: number, count: number, dst: number): void;
  scatter(dst: number, stride: number, size: number, count: number, src: number): void;
  // assembly/descriptor.ts
  descFault(d: number): number;
  // assembly/format/header.ts
  formatPeek(seg: number): number;
  formatClaim(seg: number, pid: number): number;
  formatInitPid(seg: number): number;
  formatTakeOver(seg: number, deadPid: number, pid: number): number;
  formatInit(seg: number, size: bigint, pid: number, dirCapacity: number, userCapacity: number, flags: number, token: bigint, namespace: number, nowMs: bigint): number;
  formatOpen(d: number, seg: number, mappedSize: number): number;
  formatInitWord(seg: number): number;
  formatReadyWord(seg: number): number;
  formatCondemn(seg: number, expected: number, pid: number): number;
  formatRestore(seg: number, pid: number, ready: number): number;
  formatRevive(seg: number, mappedSize: number, deadPid: number, pid: number): number;
  formatFlags(d: number): number;
  formatSetFlags(d: number, flags: number): number;
  formatLastJoinMs(d: number): bigint;
  // assembly/format/users.ts
  userTokenOf(pid: number, start: bigint): bigint;
  userTokenPid(token: bigint): number;
  userTokenStart(token: bigint): bigint;
  usersCapacity(d: number): number;
  userAt(d: number, slot: number): bigint;
  userNamespaceAt(d: number, slot: number, token: bigint): bigint;
  userJoin(d: number, token: bigint, namespace: number, nowMs: bigint): number;
  userRelease(d: number, slot: number, token: bigint): number;
  // assembly/format/directory.ts
  dirRead(d: number, slot: number, out: number): number;
  dirCapacity(d: number): number;
  dirGeneration(d: number): number;
  dirTryLock(d: number, pid: number): number;
  dirStealLock(d: number, deadPid: number, pid: number): number;
  dirUnlock(d: number, pid: number): number;
  dirFind(d: number, name: number, nameLength: number): number;
  dirCreate(d: number, pid: number, name: number, nameLength: number, kind: number, size: bigint, align: number, layoutHash: bigint, layout: number, layoutLength: number, elementSize: number, count: number): number;
  dirRemove(d: number, pid: number, slot: number): number;
  // assembly/sync/ids.ts
  markWaiting(word: number, owner: number): number;
  // assembly/sync/mutex.ts
  mutexInit(m: number, kind: number): number;
  mutexTryLock(m: number, id: number, contended: number): number;
  mutexTakeOver(m: number, deadOwner: number, id: number): number;
  mutexMarkConsistent(m: number, id: number): number;
  mutexState(m: number): number;
  mutexOwner(m: number): number;
  mutexUnlock(m: number, id: number): number;
  // assembly/sync/semaphore.ts
  semInit(s: number, value: number): number;
  semTryWait(s: number): number;
  semPost(s: number, count: number): number;
  semSleepBegin(s: number): void;
  semSleepEnd(s: number): void;
  semValue(s: number): number;
  // assembly/sync/condvar.ts
  condInit(c: number): void;
  condWaitBegin(c: number): number;
  condWaitEnd(c: number): void;
  condSignal(c: number): number;
  // assembly/sync/barrier.ts
  barrierInit(b: number, parties: number): number;
  barrierArrive(b: number): number;
  barrierPassed(b: number, generation: number): number;
  barrierBreak(b: number): void;
  barrierBroken(b: number): number;
  // assembly/sync/event.ts
  eventInit(e: number, autoReset: number, initiallySet: number): void;
  eventSet(e: number): number;
  eventReset(e: number): void;
  eventTryWait(e: number): number;
  eventSleepBegin(e: number): void;
  eventSleepEnd(e: number): void;
  // assembly/sync/once.ts
  onceBegin(o: number, id: number): number;
  onceTakeOver(o: number, deadRunner: number, id: number): number;
  onceFinish(o: number, succeeded: number): number;
  onceWord(o: number): number;
  // assembly/sync/rwlock.ts
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
  // assembly/sync/seqlock.ts
  seqInit(q: number, capacity: number): void;
  seqWrite(q: number, id: number, src: number, length: number): number;
  seqRead(q: number, dst: number, length: number): number;
  seqWriter(q: number): number;
  seqRecover(q: number, deadWriter: number): number;
  seqSequence(q: number): number;
  // assembly/channel/spsc.ts
  spscSize(capacity: number): number;
  spscInit(r: number, end: number, capacity: number): number;
  spscOpen(d: number, r: number, end: number): number;
  spscMaxMessageFor(capacity: number): number;
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
  spscSend(d: number, source: number, length: number, count: number): number;
  spscSendMany(d: number, source: number, lengths: number, count: number): number;
  spscReceive(d: number, dest: number, capacity: number, max: number, lengths: number): number;
  spscCommit(d: number): number;
  spscUncommitted(d: number): number;
  spscPeek(d: number): number;
  spscPeekMany(d: number, max: number, addresses: number, lengths: number): number;
  spscLength(d: number): number;
  spscRelease(d: number): number;
  spscUnreleased(d: number): number;
  spscUsed(d: number): number;
  spscMoved(d: number, role: number): bigint;
  spscSleepBegin(d: number, role: number): void;
  spscSleepEnd(d: number, role: number): void;
  spscSleepValue(d: number, role: number): number;
  // assembly/channel/mpmc.ts
  mpmcStride(slotSize: number): number;
  mpmcSize(slots: number, slotSize: number): number;
  mpmcInit(q: number, end: number, slots: number, slotSize: number): number;
  mpmcOpen(d: number, q: number, end: number): number;
  mpmcSlots(d: number): number;
  mpmcSlotSize(d: number): number;
  mpmcLength(d: number): number;
  mpmcClose(d: number): number;
  mpmcClosed(d: number): number;
  mpmcEnded(d: number): number;
  mpmcLost(d: number): number;
  mpmcClaim(d: number, id: number): number;
  mpmcPublish(d: number, payload: number, id: number): number;
  mpmcTake(d: number, id: number): number;
  mpmcSend(d: number, id: number, source: number, count: number): number;
  mpmcReceive(d: number, id: number, dest: number, capacity: number, max: number): number;
  mpmcRelease(d: number, payload: number, id: number): number;
  mpmcStuck(d: number, side: number): number;
  mpmcReclaim(d: number, side: number, deadHolder: number, id: number): number;
  mpmcSleepValue(d: number, side: number): number;
  // assembly/channel/broadcast.ts
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

/** The constants core.wasm exports, as immutable i32 globals (docs/ABI.md lists their values). */
export type CoreConstant =
  // assembly/index.ts
  | 'CORE_ABI_VERSION'
  // assembly/spin.ts
  | 'SPIN_START_NS' | 'SPIN_MIN_NS' | 'SPIN_MAX_NS' | 'SPIN_ASYNC_MAX_NS' | 'SPIN_AFTER_WAKE_NS' | 'SPIN_CLOCK_EVERY'
  // assembly/liveness.ts
  | 'LIVENESS_SLICE_FIRST_MS' | 'LIVENESS_SLICE_MAX_MS'
  // assembly/arena.ts
  | 'ARENA_UNIT_SIZE' | 'ARENA_MAX_UNITS' | 'ARENA_OK' | 'ARENA_NO_SPACE' | 'ARENA_BAD_ARGUMENT'
  | 'ARENA_NOT_INITIALISED' | 'ARENA_STATE_OVERFLOW'
  // assembly/struct/layout.ts
  | 'MEMBER_ELEMENT_SIZE' | 'MEMBER_ALIGN' | 'MEMBER_COUNT' | 'MEMBER_OFFSET' | 'MEMBER_SIZE'
  | 'RESULT_STRUCT_SIZE' | 'RESULT_STRUCT_ALIGN' | 'RESULT_SIZE' | 'LAYOUT_OK' | 'LAYOUT_BAD_ALIGN'
  | 'LAYOUT_TOO_LARGE' | 'LAYOUT_EMPTY' | 'LAYOUT_MAX_SIZE'
  // assembly/descriptor.ts
  | 'DESCRIPTOR_SIZE' | 'FAULT_NONE' | 'FAULT_WINDOW' | 'FAULT_HEADER' | 'FAULT_DIR_ENTRY'
  | 'FAULT_SPSC_CAPACITY' | 'FAULT_SPSC_RECORD' | 'FAULT_SPSC_HEAD' | 'FAULT_SPSC_TAIL' | 'FAULT_MPMC_GEOMETRY'
  | 'FAULT_MPMC_CURSOR' | 'FAULT_BCAST_GEOMETRY' | 'FAULT_BCAST_SLOT' | 'FAULT_BCAST_CURSOR'
  // assembly/format/header.ts
  | 'SEGMENT_MAGIC' | 'FORMAT_VERSION' | 'CACHE_LINE' | 'HEADER_SIZE' | 'H_MAGIC' | 'H_VERSION'
  | 'H_TOTAL_SIZE' | 'H_CREATOR_PID' | 'H_DIR_CAPACITY' | 'H_DIR_OFFSET' | 'H_HEAP_OFFSET' | 'H_USER_CAPACITY'
  | 'H_USER_OFFSET' | 'H_FLAGS' | 'H_CREATOR_NAMESPACE' | 'H_LAST_JOIN_MS' | 'H_INIT_WORD'
  | 'H_DIR_LOCK' | 'H_DIR_GENERATION' | 'MAX_PID' | 'MAX_DIR_CAPACITY' | 'INIT_FRESH' | 'INIT_BUSY'
  | 'INIT_READY' | 'INIT_GONE' | 'INIT_PID_SHIFT' | 'FLAG_REMOVE_WITH_LAST_USER' | 'FLAG_MIXED_NAMESPACES' | 'FORMAT_OK' | 'FORMAT_BAD_MAGIC'
  | 'FORMAT_BAD_VERSION' | 'FORMAT_SIZE_MISMATCH' | 'FORMAT_TOO_SMALL' | 'FORMAT_NOT_OWNER' | 'FORMAT_CORRUPT'
  | 'FORMAT_BAD_ARGUMENT' | 'PEEK_FRESH' | 'PEEK_READY' | 'PEEK_WAIT' | 'PEEK_FOREIGN' | 'PEEK_GONE'
  // assembly/format/users.ts
  | 'USER_SLOT_SIZE' | 'U_TOKEN' | 'U_NAMESPACE' | 'MAX_USER_CAPACITY' | 'USER_PID_BITS'
  | 'USERS_FULL' | 'USERS_GONE' | 'USERS_BAD_ARGUMENT'
  // assembly/format/directory.ts
  | 'ENTRY_SIZE' | 'E_STATE' | 'E_KIND' | 'E_OFFSET' | 'E_SIZE' | 'E_ALIGN' | 'E_NAME_LENGTH' | 'E_LAYOUT_HASH'
  | 'E_LAYOUT_OFFSET' | 'E_LAYOUT_LENGTH' | 'E_ELEMENT_SIZE' | 'E_COUNT' | 'E_NAME' | 'MAX_NAME' | 'ENTRY_FREE'
  | 'ENTRY_WRITING' | 'ENTRY_LIVE' | 'DIR_EXISTS' | 'DIR_FULL' | 'DIR_NO_SPACE' | 'DIR_NOT_LOCKED'
  | 'DIR_BAD_ARGUMENT' | 'DIR_CORRUPT' | 'DIR_READ_FREE' | 'DIR_READ_LIVE' | 'DIR_READ_MOVED'
  // assembly/format/kinds.ts
  | 'KIND_BYTES' | 'KIND_STRUCT' | 'KIND_TABLE' | 'KIND_MUTEX' | 'KIND_SEMAPHORE' | 'KIND_CONDVAR'
  | 'KIND_BARRIER' | 'KIND_EVENT' | 'KIND_ONCE' | 'KIND_RWLOCK' | 'KIND_SEQLOCK' | 'KIND_SPSC' | 'KIND_MPMC'
  | 'KIND_BCAST'
  // assembly/sync/ids.ts
  | 'ID_MASK' | 'WAITERS' | 'ACQUIRED' | 'ACQUIRED_AGAIN' | 'NOT_RECOVERABLE' | 'WOULD_DEADLOCK' | 'NOT_OWNER'
  | 'BAD_ARGUMENT'
  // assembly/sync/mutex.ts
  | 'MUTEX_SIZE' | 'MUTEX_WORD' | 'MUTEX_STATE' | 'MUTEX_DEPTH' | 'MUTEX_KIND' | 'MUTEX_NORMAL'
  | 'MUTEX_RECURSIVE' | 'MUTEX_CONSISTENT' | 'MUTEX_INCONSISTENT' | 'MUTEX_UNRECOVERABLE' | 'MUTEX_WAKE_ONE'
  | 'MUTEX_WAKE_ALL'
  // assembly/sync/semaphore.ts
  | 'SEMAPHORE_SIZE' | 'SEMAPHORE_VALUE' | 'SEMAPHORE_SLEEPERS' | 'SEMAPHORE_MAX_VALUE' | 'SEMAPHORE_OVERFLOW'
  // assembly/sync/condvar.ts
  | 'CONDVAR_SIZE' | 'CONDVAR_SEQUENCE' | 'CONDVAR_SLEEPERS'
  // assembly/sync/barrier.ts
  | 'BARRIER_SIZE' | 'BARRIER_WORD' | 'BARRIER_PARTIES' | 'BARRIER_BROKEN_FLAG' | 'BARRIER_GENERATION_SHIFT'
  | 'BARRIER_MAX_PARTIES' | 'BARRIER_LAST' | 'BARRIER_BROKEN' | 'BARRIER_BAD_PARTIES'
  // assembly/sync/event.ts
  | 'EVENT_SIZE' | 'EVENT_STATE' | 'EVENT_AUTO_RESET' | 'EVENT_SLEEPERS'
  // assembly/sync/once.ts
  | 'ONCE_SIZE' | 'ONCE_WORD' | 'ONCE_DONE_FLAG' | 'ONCE_RUN' | 'ONCE_DONE'
  // assembly/sync/rwlock.ts
  | 'RWLOCK_SIZE' | 'RWLOCK_STATE' | 'RWLOCK_WRITER' | 'RWLOCK_DIED' | 'RWLOCK_READER_IDS'
  | 'RWLOCK_READER_SLOTS' | 'RWLOCK_STATE_WRITER' | 'RWLOCK_STATE_READERS' | 'RWLOCK_STATE_READERS_WAITING'
  | 'RWLOCK_WRITER_DRAINING' | 'RWLOCK_WAKE_READERS' | 'RWLOCK_WAKE_WRITER'
  // assembly/sync/seqlock.ts
  | 'SEQLOCK_HEADER' | 'SEQLOCK_SEQUENCE' | 'SEQLOCK_WRITER' | 'SEQLOCK_CAPACITY' | 'SEQ_RETRY' | 'SEQ_OK'
  | 'SEQ_TOO_LONG'
  // assembly/channel/spsc.ts
  | 'SPSC_CAPACITY' | 'SPSC_PRODUCER_HOLDER' | 'SPSC_CONSUMER_HOLDER' | 'SPSC_TAIL' | 'SPSC_HEAD'
  | 'SPSC_CONSUMER_SLEEPS' | 'SPSC_PRODUCER_SLEEPS' | 'SPSC_HEADER' | 'SPSC_RECORD_HEADER'
  | 'SPSC_RECORD_ALIGN' | 'SPSC_NO_RECORD' | 'SPSC_MESSAGE' | 'SPSC_PADDING' | 'SPSC_MIN_CAPACITY'
  | 'SPSC_MAX_CAPACITY' | 'SPSC_PRODUCER' | 'SPSC_CONSUMER' | 'SPSC_CLOSED' | 'SPSC_NONE' | 'SPSC_TOO_LONG'
  | 'SPSC_CORRUPT' | 'SPSC_CORRUPT_COUNT' | 'SPSC_INIT_REFUSED' | 'SPSC_WAKE_PEER' | 'SPSC_BAD_DESTINATION'
  // assembly/channel/mpmc.ts
  | 'MPMC_SLOTS' | 'MPMC_SLOT_SIZE' | 'MPMC_STRIDE' | 'MPMC_LOST' | 'MPMC_ENQUEUE' | 'MPMC_DEQUEUE'
  | 'MPMC_PUSH_SIGNAL' | 'MPMC_POP_SIGNAL' | 'MPMC_HEADER' | 'MPMC_SLOT_SEQUENCE' | 'MPMC_SLOT_POSITION'
  | 'MPMC_SLOT_HEADER' | 'MPMC_SLOT_ALIGN' | 'MPMC_MIN_SLOTS' | 'MPMC_MAX_SLOTS' | 'MPMC_MAX_SLOT_SIZE'
  | 'MPMC_PUSH' | 'MPMC_POP' | 'MPMC_NONE' | 'MPMC_CLOSED' | 'MPMC_CORRUPT' | 'MPMC_NOT_HELD'
  | 'MPMC_BAD_PAYLOAD' | 'MPMC_CORRUPT_COUNT' | 'MPMC_WAKE_PEER' | 'MPMC_ENDED' | 'MPMC_INIT_REFUSED' | 'MPMC_CLOSED_BIT' | 'MPMC_BUSY_BIT' | 'MPMC_TAKING_BIT'
  | 'MPMC_HOLDER_SHIFT'
  // assembly/channel/broadcast.ts
  | 'BCAST_SLOTS' | 'BCAST_SLOT_SIZE' | 'BCAST_READER_ENTRIES' | 'BCAST_MODE' | 'BCAST_WRITER_HOLDER'
  | 'BCAST_PUBLISHED' | 'BCAST_READ_SIGNAL' | 'BCAST_PROGRESS' | 'BCAST_HEADER' | 'BCAST_READER_HOLDER'
  | 'BCAST_READER_CURSOR' | 'BCAST_READER_SIZE' | 'BCAST_SLOT_STAMP' | 'BCAST_SLOT_LENGTH'
  | 'BCAST_SLOT_HEADER' | 'BCAST_SLOT_ALIGN' | 'BCAST_BACKPRESSURE' | 'BCAST_LOSSY' | 'BCAST_CLOSED'
  | 'BCAST_WRITER' | 'BCAST_MIN_SLOTS' | 'BCAST_MAX_SLOTS' | 'BCAST_MAX_SLOT_SIZE' | 'BCAST_MAX_READERS'
  | 'BCAST_NONE' | 'BCAST_TOO_LONG' | 'BCAST_CORRUPT' | 'BCAST_NO_READER' | 'BCAST_BAD_INDEX'
  | 'BCAST_INIT_REFUSED' | 'BCAST_READ_OK' | 'BCAST_WAKE_WRITER' | 'BCAST_LOST' | 'BCAST_READ_CORRUPT';

/** The core's fault codes (assembly/descriptor.ts): which field of which layout was found corrupt. */
export type CoreFault = Extract<CoreConstant, `FAULT_${string}`>;

/** Raw exports of core.wasm: its functions, its constants, and the memory it imported. */
export type CoreExports = CoreFunctions & { readonly [name in CoreConstant]: WasmGlobal } & { readonly memory: WasmMemory };

/** Every constant's value, by name. */
export type CoreConstants = Readonly<Record<CoreConstant, number>>;

const constantTables = new WeakMap<CoreExports, CoreConstants>();

/** Every constant of an instantiated core, read once per instance (a signed i32 each, as Wasm globals are). */
export function coreConstants(core: CoreExports): CoreConstants {
  let table = constantTables.get(core);
  if (table === undefined) {
    const values: Record<string, number> = {};
    for (const [name, value] of Object.entries(core)) if (value instanceof WebAssembly.Global) values[name] = value.value as number;
    table = Object.freeze(values) as CoreConstants;
    constantTables.set(core, table);
  }
  return table;
}

export function coreConstant(core: CoreExports, name: CoreConstant): number {
  return coreConstants(core)[name];
}

// Two facts of wasm32 that hosts need before any core exists (to size a new
// memory); instantiateCore checks that the core counts units the same way.
/** A Wasm page, the unit memories grow by: the core's ARENA_UNIT_SIZE. */
export const UNIT_SIZE = 65536;
/** Pages a wasm32 memory may have: the core's ARENA_MAX_UNITS. */
export const MAX_UNITS = 65536;
/** The CORE_ABI_VERSION this host was written for. */
export const CORE_ABI_VERSION = 14;

/**
 * Instantiates the core on `memory`. Synchronous: the module is small.
 * `wasi` defaults to the few preview1 functions the core imports; any
 * other WASI implementation (node:wasi, a browser shim) may stand in.
 */
export function instantiateCore(module: WasmModule, memory: WasmMemory, wasi: CoreWasi = corePreview1(memory)): CoreExports {
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, { env: { memory }, wasi_snapshot_preview1: wasi.imports });
  } catch (error) {
    if (!(error instanceof WebAssembly.LinkError)) throw error;
    throw new ShmError({
      code: 'ELIBBAD',
      message: `core.wasm could not be linked (${error.message}): it needs a shared env.memory of at most 65536 pages ` +
        'and the wasi_snapshot_preview1 functions it imports; rebuild it with `npm run build` if it is older than this host',
      cause: error,
    });
  }
  wasi.initialize(instance);
  const core = instance.exports as unknown as CoreExports;
  const version = core.CORE_ABI_VERSION.value as number;
  if (version !== CORE_ABI_VERSION) abiMismatch(`core.wasm has ABI version ${version}, this host expects ${CORE_ABI_VERSION}`);
  const { ARENA_UNIT_SIZE: unit, ARENA_MAX_UNITS: units } = coreConstants(core);
  if (unit !== UNIT_SIZE || units !== MAX_UNITS) {
    abiMismatch(`core.wasm counts memory in ${units} units of ${unit} bytes, this host in ${MAX_UNITS} Wasm pages of ${UNIT_SIZE}`);
  }
  return core;
}

function abiMismatch(why: string): never {
  throw new ShmError({ code: 'ELAYOUT', message: `${why}: the host and core.wasm come from different builds; rebuild both with \`npm run build\`` });
}
