// How a conformance scenario is declared, once, for every backend: the
// objects it lays out, the parties (each a named role), and every outcome
// the protocol allows (jcstress style: any other outcome fails the run).
// Roles see only a formatted segment, through its methods, and import no
// shmkit values: the same code runs in a Linux process, a Node worker
// thread and a Chromium worker.
import type { ManagedSegment } from '../../host/format/managed.js';

/** A segment as every backend hands it over: a POSIX one on Linux, a region of a plain arena elsewhere. */
export type Segment = ManagedSegment<any>;

/** One party's part: runs on its own thread or process, may block; what it returns (or says on the way) must survive JSON. */
export type Role = (seg: Segment, params: any, say: (news: unknown) => void) => unknown | Promise<unknown>;

/** Roles by name, outside the protocol suites (a module exporting `book`, for tests with parties of their own). */
export type RoleBook = Record<string, Role>;

export interface Scenario {
  /** What it shows, as a test title says it. */
  title: string;
  /** Lays out the shared objects; runs once, on the coordinator, before any party starts. */
  setup(seg: Segment): void;
  roles: Record<string, Role>;
  /** Who takes part: started together, each runs its role once. */
  parties: Array<{ role: string; params?: object }>;
  /**
   * The outcome, as one line, from what the parties returned and what the
   * coordinator finds in the segment afterwards (non-blocking reads only:
   * a page's main thread may not block).
   */
  outcome(results: any[], seg: Segment): string;
  /** Every allowed outcome, and why the protocol allows it. */
  allowed: Record<string, string>;
}

/** The scenarios of one protocol, named as its core file is (assembly/sync/mutex.ts → 'mutex'). */
export interface ProtocolSuite {
  protocol: string;
  scenarios: Scenario[];
}

/**
 * Where a party finds its role: a scenario of a protocol suite, or `book`,
 * the URL of a module exporting a RoleBook (Node parties only).
 */
export type RoleAddress = ({ protocol: string; scenario: number } | { book: string }) & { role: string; params?: object };

/** Why an outcome fails the run, or undefined when the scenario allows it. */
export function judge(scenario: Scenario, outcome: string): string | undefined {
  if (outcome in scenario.allowed) return undefined;
  return `outcome '${outcome}' is not allowed; allowed: ${Object.keys(scenario.allowed).map((o) => `'${o}'`).join(', ')}`;
}

/** Shared 32-bit words in the segment, for counters and witnesses beside the object under test. */
export function words(seg: Segment, name: string, count: number): Int32Array {
  const bytes = seg.findOrCreate(`words.${name}`, { bytes: count * 4 });
  return new Int32Array(bytes.buffer, bytes.byteOffset, count);
}

// Long enough that only a lost wake-up reaches it; it then fails the run instead of hanging it.
export const WAIT = { timeoutMs: 30_000 };
