// Creation notes. Between the moment openOrCreate makes a kernel object
// and the moment its header is claimed, the object is blank: nothing in it
// says it is a shmkit segment, and a maker killed there leaves it behind
// for good. So the maker first leaves a note in /dev/shm naming what it is
// making, adds the object's inode (POSIX) or id (System V) once it exists,
// and removes the note when the format is claimed or the call fails. gc
// finds the notes of makers that died and removes what they name, if it is
// still blank, unused and theirs (api/gc.ts).
//
//   NOTE  /dev/shm/.shmkit-making-NS-PID-START-SEQ  (mode 0600)
//         NS, PID, START: the maker's pid namespace, pid and start time
//         (format/users.ts), SEQ: a counter of the maker's
//   ┌──────────────────────────────────────────────────────────────┐
//   │ "posix /NAME\n" or "sysv KEY\n"   what is being made         │ line 1
//   │ "ino N\n" or "id N\n"             once it exists             │ line 2
//   └──────────────────────────────────────────────────────────────┘
//   KEY and N in decimal. Another process may have written anything
//   there: a reader bounds what it reads and checks it against the kernel.
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { judgeUser, ownIdentity } from '../linux/process-identity.js';
import { POSIX_SHM_DIR, validatePosixName } from '../linux/posix.js';
import type { UserIdentity } from '../format/segment-like.js';

export const NOTE_PREFIX = '.shmkit-making-';
const NOTE_NAME = /^\.shmkit-making-(\d{1,10})-(\d{1,7})-(\d{1,20})-\d{1,16}$/;
const NOTE_MAX_BYTES = 512;

export type NoteTarget = { kind: 'posix'; name: string } | { kind: 'sysv'; key: number };

let sequence = 0;

/** A note's first line: what it names. */
function targetLine(target: NoteTarget): string {
  return target.kind === 'posix' ? `posix ${target.name}\n` : `sysv ${target.key}\n`;
}

/** A note this process writes while it makes `target`; nothing is written until `making()`. */
export class CreationNote {
  readonly target: NoteTarget;
  #fd: number | undefined;
  #path: string | undefined;
  #firstLine = '';

  constructor(target: NoteTarget) {
    this.target = target;
  }

  /** Writes the note: call before the call that may create the object. */
  making(): void {
    if (this.#path !== undefined) return;
    const me = ownIdentity();
    const path = `${POSIX_SHM_DIR}/${NOTE_PREFIX}${me.namespace}-${me.pid}-${me.start}-${++sequence}`;
    try {
      this.#fd = openSync(path, 'wx', 0o600);
      this.#path = path;
      this.#firstLine = targetLine(this.target);
      writeSync(this.#fd, this.#firstLine);
    } catch {
      // No note where /dev/shm cannot take one: the object is made all the
      // same, and only a maker killed in the next microseconds leaves it.
      this.done();
    }
  }

  /** Records the object just made: its inode (POSIX) or id (System V), in place of any made before. */
  made(identity: bigint | number): void {
    if (this.#fd === undefined) return;
    try {
      writeSync(this.#fd, `${this.target.kind === 'posix' ? 'ino' : 'id'} ${identity}\n`, Buffer.byteLength(this.#firstLine));
    } catch {
      // the first line alone still names it
    }
  }

  /** Removes the note: the object is claimed, or this call made nothing. */
  done(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    if (this.#path !== undefined) {
      try {
        unlinkSync(this.#path);
      } catch {
        // already gone; nothing else to undo
      }
    }
    this.#fd = undefined;
    this.#path = undefined;
  }
}

/**
 * Removes the notes naming `target` whose makers died, and those of dead
 * makers that name nothing (killed before they wrote a word): called by a
 * process that has just formatted it, after which they have nothing left
 * to say (gc removes the rest). A note of a live maker stays.
 */
export function clearDeadNotes(target: NoteTarget): void {
  for (const note of readNotes()) {
    if (note.target !== undefined && targetLine(note.target) !== targetLine(target)) continue;
    const state = judgeUser(note.maker);
    if (state === 'dead' || state === 'recycled') {
      try {
        unlinkSync(POSIX_SHM_DIR + note.name);
      } catch {
        // another process removed it first
      }
    }
  }
}

/** A note found in /dev/shm, as far as it could be read; `made` is undefined until line 2 is there. */
export interface FoundNote {
  /** Its POSIX name ('/.shmkit-making-…'). */
  name: string;
  maker: UserIdentity;
  /** Owner and change time of the note itself. */
  uid: number;
  ctimeMs: number;
  target: NoteTarget | undefined;
  made: bigint | undefined;
}

export function isNoteName(name: string): boolean {
  return name.startsWith('/' + NOTE_PREFIX);
}

/** Every note in /dev/shm; an unreadable or malformed one has target undefined. */
export function readNotes(): FoundNote[] {
  const notes: FoundNote[] = [];
  for (const entry of readdirSync(POSIX_SHM_DIR, { withFileTypes: true })) {
    const match = NOTE_NAME.exec(entry.name);
    if (!match || !entry.isFile()) continue;
    const found = readNote(`${POSIX_SHM_DIR}/${entry.name}`);
    if (found === undefined) continue; // removed meanwhile, or not a plain file after all
    notes.push({ name: '/' + entry.name, maker: { namespace: Number(match[1]), pid: Number(match[2]), start: BigInt(match[3]!) }, ...found });
  }
  return notes;
}

function readNote(path: string): Omit<FoundNote, 'name' | 'maker'> | undefined {
  let fd: number;
  try {
    // Anyone may put anything under that name: never follow a link, never wait on a FIFO.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    const bytes = Buffer.alloc(NOTE_MAX_BYTES);
    const text = bytes.toString('utf8', 0, readSync(fd, bytes, 0, NOTE_MAX_BYTES, 0));
    return { uid: st.uid, ctimeMs: st.ctimeMs, ...parseNote(text) };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function parseNote(text: string): { target: NoteTarget | undefined; made: bigint | undefined } {
  const [first = '', second = ''] = text.split('\n');
  let target: NoteTarget | undefined;
  const posix = /^posix (\/.{1,254})$/.exec(first);
  const sysv = /^sysv (\d{1,10})$/.exec(first);
  if (posix) {
    try {
      validatePosixName(posix[1]!);
      target = { kind: 'posix', name: posix[1]! };
    } catch {
      target = undefined;
    }
  } else if (sysv && Number(sysv[1]) <= 0xffffffff) {
    target = { kind: 'sysv', key: Number(sysv[1]) };
  }
  const made = target && new RegExp(`^${target.kind === 'posix' ? 'ino' : 'id'} (\\d{1,20})$`).exec(second);
  return { target, made: made ? BigInt(made[1]!) : undefined };
}
