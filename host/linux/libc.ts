// The only place shmkit declares C functions. Everything else in host/linux
// calls through these typed bindings. koffi and libc load at the first call,
// not at import: on other platforms shmkit's OS-free parts (struct schemas,
// cHeader, CoreMemory) still import and work, and each OS call fails with
// ENOTSUP naming the platform.
import type { LibraryHandle, TypeObject } from 'koffi';
import { ShmError } from '../errors.js';
import { moduleRequire } from '../core/module-url.js';

type Koffi = typeof import('koffi');
type KoffiFunction = ReturnType<LibraryHandle['func']>;

// Addresses travel as intptr_t: user-space addresses fit a JS number exactly.
const PROTOTYPES = {
  ftok: 'int ftok(const char *path, int proj_id)',
  shmget: 'int shmget(int key, size_t size, int shmflg)',
  shmat: 'intptr_t shmat(int shmid, intptr_t shmaddr, int shmflg)',
  shmdt: 'int shmdt(intptr_t shmaddr)',
  shmctl: 'int shmctl(int shmid, int cmd, void *buf)',
  shm_open: 'int shm_open(const char *name, int oflag, uint32_t mode)',
  shm_unlink: 'int shm_unlink(const char *name)',
  memfd_create: 'int memfd_create(const char *name, unsigned int flags)',
  ftruncate: 'int ftruncate(int fd, int64_t length)',
  posix_fallocate: 'int posix_fallocate(int fd, int64_t offset, int64_t len)',
  fallocate: 'int fallocate(int fd, int mode, int64_t offset, int64_t len)',
  close: 'int close(int fd)',
  mmap: 'intptr_t mmap(intptr_t addr, size_t length, int prot, int flags, int fd, int64_t offset)',
  munmap: 'int munmap(intptr_t addr, size_t length)',
  msync: 'int msync(intptr_t addr, size_t length, int flags)',
  getpagesize: 'int getpagesize()',
  sysconf: 'long sysconf(int name)',
  strerror: 'const char *strerror(int errnum)',
  gettid: 'int gettid()',
  kill: 'int kill(int pid, int sig)',
  // fcntl is variadic; F_ADD_SEALS takes one int.
  fcntl: 'int fcntl(int fd, int cmd, int arg)',
  // futex(2) through syscall(2), declared non-variadic so it has an .async form.
  futex: 'long syscall(long nr, intptr_t uaddr, int op, int val, void *timeout, intptr_t uaddr2, int val3)',
  semget: 'int semget(int key, int nsems, int semflg)',
  semop: 'int semop(int semid, void *sops, size_t nsops)',
  semtimedop: 'int semtimedop(int semid, void *sops, size_t nsops, void *timeout)',
  // semctl is variadic; its fourth argument, union semun, travels in one
  // integer register, so it is declared twice without `...` (which would
  // lose .async and is not needed): an int for SETVAL, a pointer for the
  // struct and array commands.
  semctl: 'int semctl(int semid, int semnum, int cmd, intptr_t val)',
  semctl_buf: ['semctl', 'int', ['int', 'int', 'int', 'void *']],
  // sem_open is variadic too (mode and value follow O_CREAT); both are
  // unsigned int, which variadic promotion leaves alone. sem_t * is an address.
  sem_open: 'intptr_t sem_open(const char *name, int oflag, uint32_t mode, uint32_t value)',
  sem_close: 'int sem_close(intptr_t sem)',
  sem_unlink: 'int sem_unlink(const char *name)',
  sem_wait: 'int sem_wait(intptr_t sem)',
  sem_timedwait: 'int sem_timedwait(intptr_t sem, void *abstime)',
  sem_trywait: 'int sem_trywait(intptr_t sem)',
  sem_post: 'int sem_post(intptr_t sem)',
  sem_getvalue: 'int sem_getvalue(intptr_t sem, void *sval)',
} satisfies Record<string, string | [name: string, result: string, args: string[]]>;

type Libc = { readonly [name in keyof typeof PROTOTYPES]: KoffiFunction };

let loaded: Koffi | undefined;

/** koffi itself, loaded once, on the first OS call. */
function koffi(): Koffi {
  if (loaded) return loaded;
  // Read at call time: process.platform is what the running process says now.
  const { platform, arch } = process;
  if (platform !== 'linux' || (arch !== 'x64' && arch !== 'arm64')) {
    throw new ShmError({
      code: 'ENOTSUP',
      message: `shmkit's Linux host supports x86-64 and aarch64 Linux; this is ${platform}/${arch}. ` +
        'Struct schemas, cHeader and CoreMemory work here; for shared memory in browsers and WASI hosts, ' +
        'use the shmkit/browser or shmkit/wasi entry instead.',
    });
  }
  try {
    loaded = moduleRequire()('koffi') as Koffi;
  } catch (error) {
    if (error instanceof ShmError) throw error;
    throw new ShmError({
      code: 'ENOTSUP',
      message: `shmkit could not load koffi, its C bridge, on ${platform}/${arch}: ${(error as Error).message}; ` +
        'reinstall shmkit with its dependencies (npm install shmkit), and keep koffi external when bundling',
      cause: error,
    });
  }
  return loaded;
}

function bindAll(): Libc {
  let lib;
  try {
    lib = koffi().load('libc.so.6');
  } catch (error) {
    if (error instanceof ShmError) throw error;
    throw new ShmError({
      code: 'ENOTSUP',
      message: `shmkit could not load libc.so.6: ${(error as Error).message}; its Linux host needs glibc`,
      cause: error,
    });
  }
  const bound: Record<string, KoffiFunction> = {};
  for (const [name, prototype] of Object.entries(PROTOTYPES)) {
    bound[name] = typeof prototype === 'string' ? lib.func(prototype) : lib.func(...prototype);
  }
  return bound as Libc;
}

let bound: Libc | undefined;

/**
 * Stands in for the bindings until the first use of any of them binds them
 * all; a copy of the stub kept by anyone then forwards to the same bindings.
 */
function unbound(): Libc {
  const stub = {};
  for (const name of Object.keys(PROTOTYPES) as (keyof Libc)[]) {
    Object.defineProperty(stub, name, { enumerable: true, get: () => (libc = bound ??= bindAll())[name] });
  }
  return stub as Libc;
}

/** libc's functions. A live binding: after the first use it is the plain object of bound functions. */
export let libc: Libc = unbound();

/** errno of the last failed call on this thread; read it right after the call. */
export function lastErrno(): number {
  return koffi().errno();
}

/** Raw address of the first byte of a view (of a SharedArrayBuffer, too). */
export function addressOf(view: Uint8Array): number {
  return Number(koffi().address(view));
}

/**
 * A struct laid out as the platform's C compiler would. Anonymous: koffi's
 * type names are process-wide, and another copy of shmkit in the process
 * (another version, a bundled one) defines the same structs.
 */
export function defineStruct(fields: Record<string, string | TypeObject>): TypeObject {
  return koffi().struct(fields);
}

export function offsetOf(type: TypeObject, field: string): number {
  return koffi().offsetof(type, field);
}

export function sizeOf(type: TypeObject): number {
  return koffi().sizeof(type);
}
