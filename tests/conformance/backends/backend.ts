// What a backend is: a place where parties run roles on one shared
// segment. Node backends open Stages (the conformance suites' runOnStage
// drives one per scenario; tests with parties of their own drive them by
// hand); Chromium's page runs runOnStage itself, with Web Workers for parties.
import type { ProtocolSuite, RoleAddress, Segment } from '../scenario.js';
import { playRole } from '../suites.js';

/** What a party posts: {ready} once it opened the segment, {say} news on the way, then {result} or {error}. */
export type PartyMessage = { ready: true } | { say: unknown } | { result: unknown } | { error: string };

export interface Party {
  /** Lets it run its role. */
  go(): void;
  /** The next news its role said. */
  said(): Promise<unknown>;
  /** What its role returned; rejects with what it threw, or if it died first. */
  finish(): Promise<unknown>;
  /** Stops it if it still runs (SIGKILL, terminate()); resolves once it is gone. */
  kill(): Promise<void>;
}

/** One segment on a backend, and the parties it starts on it. */
export interface Stage {
  /** The coordinator's view of the segment. */
  seg: Segment;
  /** A party playing `address` on this segment; resolves once it is ready. */
  start(address: RoleAddress): Promise<Party>;
  /** Kills the parties still running, then removes the segment; safe to call twice. */
  close(): Promise<void>;
}

export interface Backend {
  name: string;
  /** Runs scenario `index` of `suite` once: the outcome line its outcome() computed. */
  run(suite: ProtocolSuite, index: number): Promise<string>;
  /** Ends every party and releases what the backend holds; safe to call twice. */
  close(): Promise<void>;
}

/** A backend of this Node process, whose stages a test may also drive by hand. */
export interface NodeBackend extends Backend {
  /** A dead party is seen dead (kernel thread ids), or only timeouts help. */
  detectsDeath: boolean;
  stage(): Stage;
}

/** A Stage over `seg` whose parties come from `startParty`; closing kills them, then calls `remove`. */
export function trackedStage(seg: Segment, startParty: (address: RoleAddress) => Promise<Party>, remove: () => void): Stage {
  const parties = new Set<Party>();
  let closed = false;
  return {
    seg,
    async start(address) {
      const party = await startParty(address);
      parties.add(party);
      return party;
    },
    async close() {
      await Promise.all([...parties].map((party) => party.kill()));
      parties.clear();
      if (!closed) remove();
      closed = true;
    },
  };
}

/** Lays the scenario out, starts its parties, lets them go together, and computes the outcome. */
export async function runOnStage(stage: Stage, suite: ProtocolSuite, index: number): Promise<string> {
  const scenario = suite.scenarios[index]!;
  try {
    scenario.setup(stage.seg);
    const parties: Party[] = [];
    for (const { role, params } of scenario.parties) parties.push(await stage.start({ protocol: suite.protocol, scenario: index, role, params }));
    for (const party of parties) party.go();
    const results = await Promise.all(parties.map((party) => party.finish()));
    return scenario.outcome(results, stage.seg);
  } finally {
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
    async said() {
      const message = await receive();
      if (!('say' in message)) throw new Error(`expected {say}, got ${JSON.stringify(message)}`);
      return message.say;
    },
    async finish() {
      for (;;) {
        const message = await receive();
        if ('error' in message) throw new Error(`a party failed: ${message.error}`);
        if ('result' in message) return message.result;
      }
    },
    kill,
  };
}

/** The party side: opened `seg`, says ready, runs its role when told to go, posts what came of it. */
export function playWhenTold(seg: Segment, address: RoleAddress, post: (message: PartyMessage) => void, onGo: (run: () => void) => void): void {
  onGo(() => {
    playRole(seg, address, (say) => post({ say })).then(
      (result) => post({ result: result ?? null }),
      (error: unknown) => post({ error: String((error as Error)?.stack ?? error) }),
    );
  });
  post({ ready: true });
}
