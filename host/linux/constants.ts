// Flag values of the Linux ABI. They are the same on x86-64 and aarch64
// (both use the generic numbering); libc.ts refuses other architectures.

export const IPC_PRIVATE = 0;
export const IPC_CREAT = 0o1000;
export const IPC_EXCL = 0o2000;
export const IPC_NOWAIT = 0o4000;

export const IPC_RMID = 0;
export const IPC_SET = 1;
export const IPC_STAT = 2;
export const IPC_INFO = 3;

export const SHM_LOCK = 11;
export const SHM_UNLOCK = 12;
export const SHM_STAT = 13;
export const SHM_INFO = 14;
export const SHM_STAT_ANY = 15;

// shmget flags
export const SHM_HUGETLB = 0o4000;
export const SHM_NORESERVE = 0o10000;
// shmat flags
export const SHM_RDONLY = 0o10000;
export const SHM_RND = 0o20000;
export const SHM_REMAP = 0o40000;
export const SHM_EXEC = 0o100000;
// shm_perm.mode status bits reported by IPC_STAT
export const SHM_DEST = 0o1000;
export const SHM_LOCKED = 0o2000;

export const O_RDONLY = 0;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_NORESERVE = 0x4000;

export const MS_ASYNC = 1;
export const MS_INVALIDATE = 2;
export const MS_SYNC = 4;

export const MFD_CLOEXEC = 1;
export const MFD_ALLOW_SEALING = 2;
export const MFD_HUGETLB = 4;
export const F_ADD_SEALS = 1033;
export const F_SEAL_SHRINK = 2;

/** SHMLBA on x86-64 and aarch64: attach addresses are multiples of a page. */
export const SHMLBA = 4096;
export const HUGE_PAGE_SIZE = 2 * 1024 * 1024;
/** Longest POSIX object name after the leading slash (NAME_MAX). */
export const NAME_MAX = 255;

// System V semaphores: semop flag and semctl commands
export const SEM_UNDO = 0x1000;
export const GETPID = 11;
export const GETVAL = 12;
export const GETALL = 13;
export const GETNCNT = 14;
export const GETZCNT = 15;
export const SETVAL = 16;
export const SETALL = 17;
export const SEM_STAT = 18;
export const SEM_INFO = 19;
export const SEM_STAT_ANY = 20;
/** Largest semaphore value (SEMVMX) and, as sem_num is unsigned short, most semaphores a set can address. */
export const SEMVMX = 32767;
export const SEM_NSEMS_MAX = 65535;
/** Longest POSIX semaphore name after the '/': glibc stores it as /dev/shm/sem.NAME. */
export const SEM_NAME_MAX = NAME_MAX - 4;
/** Largest value of a POSIX semaphore (SEM_VALUE_MAX = INT_MAX). */
export const SEM_VALUE_MAX = 0x7fffffff;
