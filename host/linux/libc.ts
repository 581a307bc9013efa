// The only place shmkit declares C functions. Everything else in host/linux
// calls through these typed bindings.
import koffi from 'koffi';
import { arch, platform } from 'node:process';
import { ShmError } from '../errors.js';

if (platform !== 'linux' || (arch !== 'x64' && arch !== 'arm64')) {
  throw new ShmError({
    code: 'ENOTSUP',
    message: `shmkit's Linux host supports x86-64 and aarch64 Linux; this is ${platform}/${arch}. ` +
      'In browsers and WASI hosts, use the shmkit/browser or shmkit/wasi entry instead.',
  });
}

const lib = koffi.load('libc.so.6');

// Addresses travel as intptr_t: user-space addresses fit a JS number exactly.
export const libc = {
  ftok: lib.func('int ftok(const char *path, int proj_id)'),
  shmget: lib.func('int shmget(int key, size_t size, int shmflg)'),
  shmat: lib.func('intptr_t shmat(int shmid, intptr_t shmaddr, int shmflg)'),
  shmdt: lib.func('int shmdt(intptr_t shmaddr)'),
  shmctl: lib.func('int shmctl(int shmid, int cmd, void *buf)'),
  shm_open: lib.func('int shm_open(const char *name, int oflag, uint32_t mode)'),
  shm_unlink: lib.func('int shm_unlink(const char *name)'),
  memfd_create: lib.func('int memfd_create(const char *name, unsigned int flags)'),
  ftruncate: lib.func('int ftruncate(int fd, int64_t length)'),
  posix_fallocate: lib.func('int posix_fallocate(int fd, int64_t offset, int64_t len)'),
  fallocate: lib.func('int fallocate(int fd, int mode, int64_t offset, int64_t len)'),
  close: lib.func('int close(int fd)'),
  mmap: lib.func('intptr_t mmap(intptr_t addr, size_t length, int prot, int flags, int fd, int64_t offset)'),
  munmap: lib.func('int munmap(intptr_t addr, size_t length)'),
  msync: lib.func('int msync(intptr_t addr, size_t length, int flags)'),
  getpagesize: lib.func('int getpagesize()'),
  strerror: lib.func('const char *strerror(int errnum)'),
  gettid: lib.func('int gettid()'),
  // fcntl is variadic; F_ADD_SEALS takes one int.
  fcntl: lib.func('int fcntl(int fd, int cmd, int arg)'),
  // futex(2) through syscall(2), declared non-variadic so it has an .async form.
  futex: lib.func('long syscall(long nr, intptr_t uaddr, int op, int val, void *timeout, intptr_t uaddr2, int val3)'),
  semget: lib.func('int semget(int key, int nsems, int semflg)'),
  semop: lib.func('int semop(int semid, void *sops, size_t nsops)'),
  semtimedop: lib.func('int semtimedop(int semid, void *sops, size_t nsops, void *timeout)'),
  // semctl is variadic; its fourth argument, union semun, travels in one
  // integer register, so it is declared twice without `...` (which would
  // lose .async and is not needed): an int for SETVAL, a pointer for the
  // struct and array commands.
  semctl: lib.func('int semctl(int semid, int semnum, int cmd, intptr_t val)'),
  semctl_buf: lib.func('semctl', 'int', ['int', 'int', 'int', 'void *']),
  // sem_open is variadic too (mode and value follow O_CREAT); both are
  // unsigned int, which variadic promotion leaves alone. sem_t * is an address.
  sem_open: lib.func('intptr_t sem_open(const char *name, int oflag, uint32_t mode, uint32_t value)'),
  sem_close: lib.func('int sem_close(intptr_t sem)'),
  sem_unlink: lib.func('int sem_unlink(const char *name)'),
  sem_wait: lib.func('int sem_wait(intptr_t sem)'),
  sem_timedwait: lib.func('int sem_timedwait(intptr_t sem, void *abstime)'),
  sem_trywait: lib.func('int sem_trywait(intptr_t sem)'),
  sem_post: lib.func('int sem_post(intptr_t sem)'),
  sem_getvalue: lib.func('int sem_getvalue(intptr_t sem, void *sval)'),
};

/** errno of the last failed call on this thread; read it right after the call. */
export function lastErrno(): number {
  return koffi.errno();
}

/** Raw address of the first byte of a view (of a SharedArrayBuffer, too). */
export function addressOf(view: Uint8Array): number {
  return Number(koffi.address(view));
}

/** A struct layout as the platform's C compiler would lay it out. */
export const defineStruct = koffi.struct;
export const offsetOf = koffi.offsetof;
export const sizeOf = koffi.sizeof;

