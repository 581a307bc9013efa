// POSIX named semaphores: sem_open and friends, with an async wait that runs
// in bounded slices off the main thread.
import { readdirSync } from 'node:fs';
import { ShmError, invalidArgument, type ShmErrorTarget } from '../errors.js';
import { O_CREAT, O_EXCL, SEM_VALUE_MAX } from '../linux/constants.js';
import { chmodPath, statPath } from '../linux/fd.js';
import * as sys from '../linux/named-sem.js';
import { POSIX_SHM_DIR } from '../linux/posix.js';
import { warnRenamed } from '../sync/deprecation.js';
import { waitInSlices } from '../wait/sliced-wait.js';
import { checkBoolean, checkInteger, checkMode, checkOptions, checkSignal, checkTimeout } from '../core/validate.js';

export interface NamedSemaphoreOptions {
  /** Create the semaphore if it does not exist (O_CREAT). */
  create?: boolean;
  /** With create: fail with EEXIST if it exists (O_EXCL). */
  exclusive?: boolean;
  /** With create: permission bits (default 0o600), set exactly, whatever the umask; unused if it exists. */
  mode?: number;
  /** With create: the initial value (default 0), at most 2147483647; unused if it exists. */
  value?: number;
}

export interface NamedWaitSyncOptions {
  /** Give up after this many ms and return false (sem_timedwait). Default: wait as long as it takes. */
  timeoutMs?: number;
}

export interface NamedWaitOptions {
  /** Give up after this many ms and resolve false. Default: wait as long as it takes. */
  timeoutMs?: number;
  /** Aborting rejects the promise with an AbortError-shaped ShmError (code ABORT_ERR). */
  signal?: AbortSignal;
}

/** A named semaphore's status: its /dev/shm/sem.NAME file, and its value when readable. */
export interface NamedSemaphoreStat {
  name: string;
  /** null when this process may not open it. */
  value: number | null;
  mode: number;
  uid: number;
  gid: number;
  /** Last change of the file's status (creation, chmod). */
  ctime: Date;
}

const OPEN_OPTIONS = ['create', 'exclusive', 'mode', 'value'] as const;

/** A POSIX named semaphore opened by this process. */
export class NamedSemaphore {
  readonly name: string;
  /** True when this call made the semaphore. */
  readonly created: boolean;
  #sem: number;
  #closed = false;
  /** Native waits in flight on the pool: sem_close must wait for them, or they would use an unmapped sem_t. */
  #inFlight = 0;

  private constructor(name: string, sem: number, created: boolean) {
    this.name = name;
    this.#sem = sem;
    this.created = created;
  }

  private get target(): ShmErrorTarget {
    return { objectName: this.name };
  }

  /** Opens (or with `create`, creates) the semaphore '/name'. */
  static open(name: string, options: NamedSemaphoreOptions = {}): NamedSemaphore {
    const where = 'NamedSemaphore.open';
    sys.validateSemName(name);
    const target = { objectName: name };
    const o = checkOptions<NamedSemaphoreOptions>(options, OPEN_OPTIONS, where);
    const create = checkBoolean(o.create, 'create', where);
    const exclusive = checkBoolean(o.exclusive, 'exclusive', where);
    const mode = checkMode(o.mode === undefined ? 0o600 : o.mode, where, target);
    const value = checkInteger(o.value ?? 0, 'value', 0, SEM_VALUE_MAX, where, target);
    if (!create && (o.exclusive !== undefined || o.mode !== undefined || o.value !== undefined)) {
      invalidArgument(`${where}: exclusive, mode and value go with create: true`, target);
    }
    if (!create) return new NamedSemaphore(name, sys.semOpen(name, 0, 0, 0), false);

    // O_EXCL first, so this call knows whether it made the semaphore and
    // only then sets the mode. The name may vanish in between; then retry.
    for (;;) {
      try {
        const sem = sys.semOpen(name, O_CREAT | O_EXCL, mode, value);
        try {
          chmodPath(sys.semPath(name), mode, target, `semaphore '${name}'`);
        } catch (error) {
          sys.semClose(sem);
          sys.semUnlink(name); // nothing half-made stays behind
          throw error;
        }
        return new NamedSemaphore(name, sem, true);
      } catch (error) {
        if (exclusive || (error as ShmError).code !== 'EEXIST') throw error;
      }
      try {
        return new NamedSemaphore(name, sys.semOpen(name, 0, 0, 0), false);
      } catch (error) {
        if ((error as ShmError).code !== 'ENOENT') throw error;
      }
    }
  }

  /** The sem_t *, or EBADF once closed. */
  #handle(): number {
    if (this.#closed) {
      throw new ShmError({ code: 'EBADF', message: `semaphore '${this.name}' is closed; open it again to use it`, ...this.target });
    }
    return this.#sem;
  }

  /**
   * sem_wait, or sem_timedwait with a timeout: takes one unit, waiting while
   * the value is 0. Blocks this thread (use waitAsync on the main thread).
   * Returns false when the timeout passed.
   */
  waitSync(options: NamedWaitSyncOptions = {}): boolean {
    const where = 'NamedSemaphore.waitSync';
    const o = checkOptions<NamedWaitSyncOptions>(options, ['timeoutMs'], where);
    return sys.semWait(this.#handle(), this.name, checkTimeout(o.timeoutMs, where));
  }

  /** @deprecated use waitSync({ timeoutMs }) */
  wait(timeoutMs?: number): boolean {
    warnRenamed('NamedSemaphore.wait', 'NamedSemaphore.waitSync', 'it takes { timeoutMs }');
    return sys.semWait(this.#handle(), this.name, checkTimeout(timeoutMs, 'NamedSemaphore.wait'));
  }

  /**
   * The same wait off the main thread: the event loop keeps running. Resolves
   * false on timeout; rejects ABORT_ERR when `signal` aborts before a unit was
   * taken, EBADF when the semaphore is closed meanwhile.
   */
  waitAsync(options: NamedWaitOptions = {}): Promise<boolean> {
    const where = 'NamedSemaphore.waitAsync';
    try {
      const o = checkOptions<NamedWaitOptions>(options, ['timeoutMs', 'signal'], where);
      const timeoutMs = checkTimeout(o.timeoutMs, where);
      const signal = checkSignal(o.signal, where);
      this.#handle();
      return waitInSlices((sliceMs) => this.#slice(sliceMs), { timeoutMs, signal, what: `wait on semaphore '${this.name}'`, target: this.target });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #slice(sliceMs: number): Promise<boolean> {
    const sem = this.#handle();
    this.#inFlight++;
    try {
      return await sys.semWaitSlice(sem, this.name, sliceMs);
    } finally {
      if (--this.#inFlight === 0 && this.#closed) sys.semClose(sem);
    }
  }

  /** sem_trywait: takes one unit if the value is above 0; false otherwise. */
  tryWait(): boolean {
    return sys.semTryWait(this.#handle(), this.name);
  }

  /** sem_post: adds one unit, waking one waiter. */
  post(): void {
    sys.semPost(this.#handle(), this.name);
  }

  /** sem_getvalue: the current value (0 when waiters are queued). */
  get value(): number {
    return sys.semGetValue(this.#handle(), this.name);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * sem_close: this process's handle goes; the semaphore stays. Closing twice
   * is harmless. An async wait in flight ends (EBADF) before the handle goes.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#inFlight === 0) sys.semClose(this.#sem);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** sem_unlink: the name goes now; open handles keep working. */
  unlink(): void {
    sys.semUnlink(this.name);
  }

  static unlink(name: string): void {
    sys.semUnlink(name);
  }

  /** Status of a named semaphore (its file, and its value if this process may open it). */
  static stat(name: string): NamedSemaphoreStat {
    sys.validateSemName(name);
    const st = statPath(sys.semPath(name), { objectName: name }, `semaphore '${name}'`);
    return {
      name, value: readValue(name), mode: Number(st.mode & 0o777n), uid: Number(st.uid), gid: Number(st.gid), ctime: st.ctime,
    };
  }

  /** Every POSIX named semaphore on the host (the /dev/shm/sem.* files). */
  static list(): NamedSemaphoreStat[] {
    const found: NamedSemaphoreStat[] = [];
    for (const entry of readdirSync(POSIX_SHM_DIR, { withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.startsWith(sys.SEM_FILE_PREFIX)) continue;
      try {
        found.push(NamedSemaphore.stat('/' + entry.name.slice(sys.SEM_FILE_PREFIX.length)));
      } catch {
        // unlinked between readdir and stat, or not a valid name
      }
    }
    return found.sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** The value, opening the semaphore briefly; null when this process may not. */
function readValue(name: string): number | null {
  let sem: number;
  try {
    sem = sys.semOpen(name, 0, 0, 0);
  } catch {
    return null;
  }
  try {
    return sys.semGetValue(sem, name);
  } finally {
    sys.semClose(sem);
  }
}
