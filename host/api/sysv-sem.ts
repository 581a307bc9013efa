// System V semaphore sets: semget, semop/semtimedop (sync, and async in
// bounded slices that never block the event loop), semctl for the rest.
import { formatKey, invalidArgument, type ShmErrorTarget } from '../errors.js';
import { IPC_NOWAIT, IPC_PRIVATE, SEMVMX, SEM_NSEMS_MAX, SEM_UNDO } from '../linux/constants.js';
import * as sys from '../linux/sem.js';
import { warnRenamed } from '../sync/deprecation.js';
import { waitInSlices } from '../wait/sliced-wait.js';
import { encodeSembufs, type SemidDs, type SemLimits } from '../linux/structs.js';
import { checkTarget, createOrOpen, creationKey, targetKey, type SysVTarget } from './sysv-target.js';
import {
  checkBoolean, checkInteger, checkMode, checkOptions, checkSignal, checkTimeout, checkUid,
} from '../core/validate.js';

/** One operation of a semop call (struct sembuf). */
export interface SemOperation {
  /** Which semaphore of the set (default 0). */
  index?: number;
  /** > 0 adds (releases); < 0 waits until it can subtract; 0 waits until the value is 0. */
  op: number;
  /** SEM_UNDO: the kernel reverts this operation when the process exits, however it exits. */
  undo?: boolean;
  /** IPC_NOWAIT: if the call would wait, it returns false instead. */
  noWait?: boolean;
}

export interface SemCreateOptions {
  /** The key; or give `path` (+ `proj`) for ftok, or `private: true` for IPC_PRIVATE. */
  key?: number;
  path?: string;
  /** ftok project id, 0–255 (default 1). */
  proj?: number;
  private?: boolean;
  /** Semaphores in the set, from 1 to 65535 (the kernel's SEMMSL may be lower). */
  nsems: number;
  /** Permission bits (default 0o600). Read permission lets a process look, alter permission lets it operate. */
  mode?: number;
  /** Fail with EEXIST if the key is taken (IPC_EXCL). */
  exclusive?: boolean;
  /**
   * Initial values (SETALL), applied only when this call creates the set. A
   * process that opens the set between creation and SETALL sees zeros; one
   * that must not can wait until `stat().otime` is set by a first semop.
   */
  values?: number[];
}

export interface SemOpenOptions {
  /** Fail with EINVAL unless the set has at least this many semaphores. */
  nsems?: number;
}

export interface SemOpOptions {
  /** Give up after this many ms and return false (semtimedop). Default: wait as long as it takes. */
  timeoutMs?: number;
}

export interface SemOpAsyncOptions extends SemOpOptions {
  /** Aborting rejects the promise with an AbortError-shaped ShmError (code ABORT_ERR). */
  signal?: AbortSignal;
}

/** A set's status (semid_ds), flattened. */
export interface SemSetStat {
  id: number;
  /** Unsigned 32-bit key; 0 for IPC_PRIVATE. */
  key: number;
  nsems: number;
  /** Permission bits (0o777). */
  mode: number;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  /** Last semop; null when none happened yet. */
  otime: Date | null;
  /** Last change by semctl (creation, SETVAL, IPC_SET…). */
  ctime: Date | null;
}

export interface SemSetOptions {
  uid?: number;
  gid?: number;
  mode?: number;
}

const CREATE_OPTIONS = ['key', 'path', 'proj', 'private', 'nsems', 'mode', 'exclusive', 'values'] as const;
const OPEN_OPTIONS = ['nsems'] as const;
const OP_KEYS = ['index', 'op', 'undo', 'noWait'] as const;
const SHORT_MIN = -32768;
const SHORT_MAX = 32767;

function toStat(id: number, ds: SemidDs): SemSetStat {
  return {
    id, key: ds.perm.key, nsems: ds.nsems, mode: ds.perm.mode & 0o777,
    uid: ds.perm.uid, gid: ds.perm.gid, cuid: ds.perm.cuid, cgid: ds.perm.cgid,
    otime: ds.otime, ctime: ds.ctime,
  };
}

function resolveId(target: SysVTarget): number {
  return 'id' in target ? target.id : sys.semget(targetKey(target), 0, 0);
}

function checkValues(values: unknown, nsems: number, where: string, target: ShmErrorTarget): number[] {
  if (!Array.isArray(values) || values.length !== nsems) {
    invalidArgument(`${where}: values must be an array of ${nsems} numbers, one per semaphore: got ${Array.isArray(values) ? `${values.length} values` : typeof values}`, target);
  }
  return values.map((value, i) => checkInteger(value, `values[${i}]`, 0, SEMVMX, where, target));
}

/** Packs `ops` into struct sembufs, checking every field against the set's size. */
function packOps(ops: unknown, nsems: number, where: string, target: ShmErrorTarget, allNoWait = false): { buffer: Uint8Array; noWait: boolean } {
  if (!Array.isArray(ops) || ops.length === 0) invalidArgument(`${where}: ops must be a non-empty array of { index, op, undo?, noWait? }`, target);
  let noWait = false;
  const packed = ops.map((raw, i) => {
    const o = checkOptions<SemOperation>(raw, OP_KEYS, `${where} ops[${i}]`);
    const undo = checkBoolean(o.undo, 'undo', `${where} ops[${i}]`);
    const nowait = checkBoolean(o.noWait, 'noWait', `${where} ops[${i}]`) || allNoWait;
    noWait ||= nowait;
    return {
      num: checkInteger(o.index ?? 0, `ops[${i}].index`, 0, nsems - 1, where, target),
      op: checkInteger(o.op, `ops[${i}].op`, SHORT_MIN, SHORT_MAX, where, target),
      flags: (undo ? SEM_UNDO : 0) | (nowait ? IPC_NOWAIT : 0),
    };
  });
  return { buffer: encodeSembufs(packed), noWait };
}

/** A System V semaphore set. Holds no resources: nothing to close. */
export class SysVSemaphores {
  readonly id: number;
  readonly key: number;
  /** Semaphores in the set. */
  readonly nsems: number;
  /** True when this call made the set (false: it existed). */
  readonly created: boolean;

  private constructor(id: number, key: number, nsems: number, created: boolean) {
    this.id = id;
    this.key = key;
    this.nsems = nsems;
    this.created = created;
  }

  get description(): string {
    return this.key === IPC_PRIVATE ? `semaphore set id ${this.id}` : `semaphore set ${formatKey(this.key)} (id ${this.id})`;
  }

  private get target(): ShmErrorTarget {
    return { key: this.key, id: this.id };
  }

  /** Creates a set (or opens the existing one, unless `exclusive`). */
  static create(options: SemCreateOptions): SysVSemaphores {
    const where = 'SysVSemaphores.create';
    const o = checkOptions<SemCreateOptions>(options, CREATE_OPTIONS, where);
    const nsems = checkInteger(o.nsems, 'nsems', 1, SEM_NSEMS_MAX, where);
    const mode = checkMode(o.mode === undefined ? 0o600 : o.mode, where);
    const exclusive = checkBoolean(o.exclusive, 'exclusive', where);
    const values = o.values === undefined ? undefined : checkValues(o.values, nsems, where, {});
    const key = creationKey(o, where);
    // Opening asks for nsems too: a smaller existing set is EINVAL, as semget says.
    const { id, created } = createOrOpen(key, exclusive, (creating) => sys.semget(key, nsems, creating === 0 ? 0 : mode | creating));
    try {
      if (created && values) sys.semSetAll(id, values);
      return new SysVSemaphores(id, key, created ? nsems : sys.semStat(id).nsems, created);
    } catch (error) {
      if (created) sys.semRemove(id); // nothing half-made stays behind
      throw error;
    }
  }

  /** Opens an existing set by key, id or ftok path. */
  static open(target: SysVTarget, options: SemOpenOptions = {}): SysVSemaphores {
    const where = 'SysVSemaphores.open';
    const t = checkTarget(target, where);
    const o = checkOptions<SemOpenOptions>(options, OPEN_OPTIONS, where);
    const atLeast = o.nsems === undefined ? 0 : checkInteger(o.nsems, 'nsems', 0, SEM_NSEMS_MAX, where);
    const id = 'id' in t ? t.id : sys.semget(targetKey(t), atLeast, 0);
    const ds = sys.semStat(id);
    if (ds.nsems < atLeast) invalidArgument(`${where}: set ${id} has ${ds.nsems} semaphores, fewer than nsems=${atLeast}`, { id });
    return new SysVSemaphores(id, ds.perm.key, ds.nsems, false);
  }

  /**
   * semop with IPC_NOWAIT on every operation: all happen at once, or none
   * does and the answer is false. Never waits.
   */
  tryOp(ops: SemOperation[]): boolean {
    const { buffer } = packOps(ops, this.nsems, 'SysVSemaphores.tryOp', this.target, true);
    return sys.semop(this.id, buffer);
  }

  /**
   * semop / semtimedop: every operation happens at once, or none does. Blocks
   * this thread (use opAsync on the main thread). Returns false when a noWait
   * operation would have waited, or the timeout passed.
   */
  opSync(ops: SemOperation[], options: SemOpOptions = {}): boolean {
    return this.#opSync(ops, options, 'SysVSemaphores.opSync');
  }

  /** @deprecated use opSync (or tryOp, which never waits) */
  op(ops: SemOperation[], options: SemOpOptions = {}): boolean {
    warnRenamed('SysVSemaphores.op', 'SysVSemaphores.opSync');
    return this.#opSync(ops, options, 'SysVSemaphores.op');
  }

  #opSync(ops: SemOperation[], options: SemOpOptions, where: string): boolean {
    const { buffer } = packOps(ops, this.nsems, where, this.target);
    const o = checkOptions<SemOpOptions>(options, ['timeoutMs'], where);
    return sys.semop(this.id, buffer, checkTimeout(o.timeoutMs, where));
  }

  /**
   * The same operations, waited for off the main thread: the event loop keeps
   * running. Resolves false on timeout; rejects ABORT_ERR when `signal`
   * aborts before the operations happened, EIDRM if the set is removed.
   */
  opAsync(ops: SemOperation[], options: SemOpAsyncOptions = {}): Promise<boolean> {
    const where = 'SysVSemaphores.opAsync';
    try {
      const { buffer, noWait } = packOps(ops, this.nsems, where, this.target);
      const o = checkOptions<SemOpAsyncOptions>(options, ['timeoutMs', 'signal'], where);
      const timeoutMs = checkTimeout(o.timeoutMs, where);
      const signal = checkSignal(o.signal, where);
      // With IPC_NOWAIT the call cannot block: one try, here.
      if (noWait && !signal?.aborted) return Promise.resolve(sys.semop(this.id, buffer, 0));
      return waitInSlices((sliceMs, round) => sys.semopSlice(this.id, buffer, sliceMs, round), {
        timeoutMs, signal, what: `semop on ${this.description}`, target: this.target,
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** GETVAL: the value of semaphore `index`. */
  value(index = 0): number {
    return sys.semGetValue(this.id, this.#index(index, 'value'));
  }

  /** SETVAL: sets semaphore `index` (0–32767); every process's undo for it is cleared. */
  setValue(index: number, value: number): void {
    const i = this.#index(index, 'setValue');
    sys.semSetValue(this.id, i, checkInteger(value, 'value', 0, SEMVMX, 'SysVSemaphores.setValue', this.target));
  }

  /** GETALL: every value, in index order. */
  values(): number[] {
    return sys.semGetAll(this.id, this.nsems);
  }

  /** SETALL: every value at once. */
  setValues(values: number[]): void {
    sys.semSetAll(this.id, checkValues(values, this.nsems, 'SysVSemaphores.setValues', this.target));
  }

  /** GETNCNT: processes waiting for semaphore `index` to increase. */
  increaseWaiters(index = 0): number {
    return sys.semIncreaseWaiters(this.id, this.#index(index, 'increaseWaiters'));
  }

  /** GETZCNT: processes waiting for semaphore `index` to become 0. */
  zeroWaiters(index = 0): number {
    return sys.semZeroWaiters(this.id, this.#index(index, 'zeroWaiters'));
  }

  /** GETPID: the process that last operated on semaphore `index` (0: none yet). */
  lastPid(index = 0): number {
    return sys.semLastPid(this.id, this.#index(index, 'lastPid'));
  }

  /** IPC_STAT of this set. */
  stat(): SemSetStat {
    return toStat(this.id, sys.semStat(this.id));
  }

  /** IPC_SET: owner and permission bits. */
  set(changes: SemSetOptions): void {
    SysVSemaphores.set({ id: this.id }, changes);
  }

  /** IPC_RMID: the set goes now; waiters everywhere fail with EIDRM. */
  remove(): void {
    sys.semRemove(this.id);
  }

  #index(index: unknown, method: string): number {
    return checkInteger(index, 'index', 0, this.nsems - 1, `SysVSemaphores.${method}`, this.target);
  }

  static stat(target: SysVTarget): SemSetStat {
    const id = resolveId(checkTarget(target, 'SysVSemaphores.stat'));
    return toStat(id, sys.semStat(id));
  }

  static set(target: SysVTarget, changes: SemSetOptions): void {
    const where = 'SysVSemaphores.set';
    const t = checkTarget(target, where);
    const c = checkOptions<SemSetOptions>(changes, ['uid', 'gid', 'mode'], where);
    const set = {
      uid: checkUid(c.uid, 'uid', where),
      gid: checkUid(c.gid, 'gid', where),
      mode: c.mode === undefined ? undefined : checkMode(c.mode, where),
    };
    sys.semSet(resolveId(t), set);
  }

  static remove(target: SysVTarget): void {
    sys.semRemove(resolveId(checkTarget(target, 'SysVSemaphores.remove')));
  }

  /** Every semaphore set on the host (SEM_STAT_ANY enumeration). */
  static list(): SemSetStat[] {
    return sys.semList().map((entry) => toStat(entry.id, entry));
  }

  /** System limits and usage (SEM_INFO). */
  static limits(): SemLimits {
    const { highestIndex: _, ...limits } = sys.semInfo();
    return limits;
  }
}
