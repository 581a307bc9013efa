// shmkit for Node on Linux.
export { ShmError, type ShmErrorTarget } from './errors.js';
export { Arena, type ArenaOptions, type Window } from './arena/arena.js';
export { Segment, type PatternName, type RangeOptions } from './api/segment.js';
export { ReadOnlyView } from './core/read-only-view.js';
export { SysV, type SysVTarget, type SysVCreateOptions, type SysVOpenOptions, type SysVStat, type SysVSetOptions } from './api/sysv.js';
export { Posix, type PosixCreateOptions, type PosixOpenOptions, type PosixStat } from './api/posix.js';
export { Memfd, type MemfdCreateOptions, type MemfdOpenOptions } from './api/memfd.js';
export { MappedFile, type MappedFileOptions } from './api/mapped-file.js';
export { FdSegment, type FdStat, type FdSetOptions } from './api/fd-segment.js';
export { listAll, type ListEntry } from './api/list.js';
export type { ShmLimits, ShmUsage } from './linux/structs.js';
export * as constants from './linux/constants.js';
export * from './struct/index.js';
export { ManagedSegment, type ManagedOptions, type ObjectInfo, type ObjectSpec, type BytesSpec, type TableSpec } from './format/managed.js';
export { openOrCreate, type OpenOrCreateOptions } from './format/open.js';
export { CoreMemory, type CoreMemoryOptions } from './core/core-memory.js';
export * from './sync/index.js';
export { linuxWaitHost } from './sync/linux-wait-host.js';
