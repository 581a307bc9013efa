// What a backend is: a place where parties run a scenario's roles on one
// shared segment. Node backends hand the coordinator a Stage and let
// runOnStage drive it; Chromium's page runs runOnStage itself, with Web
// Workers for parties.
import type { ProtocolSuite, RoleAddress, Segment } from '../scenario.js';
import { playRole } from '../suites.js';

/** What a party posts: {ready} once it opened the segment, then {result} or {error}. */
export type PartyMessage = { ready: true } | { result: unknown } | { error: string };

export interface Party {
  /** Lets it run its role. */
  go(): void;
  /** What its role returned; rejects with what it threw, or if it died first. */
  finish(): Promise<unknown>;
  /** Stops it if it still runs; resolves once it is gone. */
  kill(): Promise<void>;
}

/** One scenario's segment on a backend, and the parties it starts on it. */
export interface Stage {
  /** The coordinator's view of the segment. */
  seg: Segment;
  /** A party playing `address` on this segment; resolves once it is ready. */
  start(address: RoleAddress): Promise<Party>;
  /** Removes the segment; the parties are gone by then. */
  close(): void | Promise<void>;
}

export interface Backend {
  name: string;
  /** Runs scenario `index` of `suite` once: the outcome line its outcome() computed. */
  run(suite: ProtocolSuite, index: number): Promise<string>;
  /** Ends every party and releases what the backend holds; safe to call twice. */
  close(): Promise<void>;
}

/** Lays the scenario out, starts its parties, lets them go together, and computes the outcome. */
export async function runOnStage(stage: Stage, suite: ProtocolSuite, index: number): Promise<string> {
  const scenario = suite.scenarios[index]!;
  const parties: Party[] = [];
  try {
    scenario.setup(stage.seg);
    for (const { role, params } of scenario.parties) parties.push(await stage.start({ protocol: suite.protocol, scenario: index, role, params }));
    for (const party of parties) party.go();
    const results = await Promise.all(parties.map((party) => party.finish()));
    return scenario.outcome(results, stage.seg);
  } finally {
    await Promise.all(parties.map((party) => party.kill()));
    await stage.close();
  }
}

/**
 * A Party over a message stream: `next()` resolves with the party's next
 * message, or undefined once it is gone (`gone()` then says why).
 */
export async function messageParty(next: () => Promise<PartyMessage | undefined>, gone: () => string, go: () => void, kill: () => Promise<void>): Promise<Party> {
  const receive = async () => {
    const message = await next();
    if (message === undefined) throw new Error(`the party ended before it answered: ${gone()}`);
    return message;
  };
  const first = await receive();
  if (!('ready' in first)) throw new Error(`a party's first message must be {ready}, got ${JSON.stringify(first)}`);
  return {
    go,
    async finish() {
      const last = await receive();
      if ('error' in last) throw new Error(`a party failed: ${last.error}`);
      if (!('result' in last)) throw new Error(`expected {result} or {error}, got ${JSON.stringify(last)}`);
      return last.result;
    },
    kill,
  };
}

/** The party side: opened `seg`, says ready, runs its role when told to go, posts what came of it. */
export function playWhenTold(seg: Segment, address: RoleAddress, post: (message: PartyMessage) => void, onGo: (run: () => void) => void): void {
  onGo(() => {
    playRole(seg, address).then(
      (result) => post({ result: result ?? null }),
      (error: unknown) => post({ error: String((error as Error)?.stack ?? error) }),
    );
  });
  post({ ready: true });
}
