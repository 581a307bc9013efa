// Hostile peers (issue 9, part 6): a victim process keeps a formatted
// segment with one object of every kind between two canary segments; a
// seeded fuzzer corrupts every word of every layout between ordinary API
// calls. Nothing may kill the victim (signal), hang it (watchdog), throw
// anything but a ShmError, hand out a view outside the target's window, or
// change a canary. The long run is `npm run bench:hostile`; replay a seed
// with SHMKIT_FUZZ_SEED / SHMKIT_FUZZ_FROM / SHMKIT_FUZZ_ROUNDS.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanup } from './helpers/resources.js';
import { fuzzSettings } from './fixtures/hostile-random.js';
import { formatFailures, runHostile, type FailureKind, type HostileOptions, type HostileReport } from './fixtures/hostile-watch.js';


const { seed, from, rounds } = fuzzSettings(0);
const roundsOr = (fallback: number) => (rounds > 0 ? rounds : fallback);

function verdict(report: HostileReport, expectedRounds: number): void {
  const header = `${report.kind} ${report.mode}, seed ${report.seed}: ${report.failures.length} failure(s) in ${report.rounds} rounds`;
  assert.is(report.failures.length, 0, `${header}\n${formatFailures(report.failures)}`);
  assert.is(report.rounds, expectedRounds, `${header}: not every round ran`);
}

// ---- the harness sees what it must see (runs on every core) ----------------

const harness = suite('hostile peer: the harness');
harness.after.each(cleanup);

harness('the control: the same calls without corruption fail nowhere, on both kinds', async () => {
  for (const kind of ['posix', 'sysv'] as const) {
    const report = await runHostile({ kind, mode: 'clean', seed, from, rounds: 40 });
    verdict(report, 40);
    assert.ok(report.calls > 40 * 3, `${kind}: calls were made (${report.calls})`);
  }
});

const selfTests: Array<[HostileOptions['mode'], FailureKind, RegExp]> = [
  ['selftest-hang', 'hang', /no progress/],
  ['selftest-signal', 'signal', /SIGSEGV/],
  ['selftest-error', 'error', /TypeError/],
  ['selftest-view', 'view', /byteOffset/],
  ['selftest-canary', 'canary', /canaryB/],
];
for (const [mode, kind, what] of selfTests) {
  harness(`a victim that ${kind === 'error' ? 'throws a TypeError' : kind === 'view' ? 'hands out a view outside the target' : kind === 'canary' ? 'writes into a canary' : kind === 'hang' ? 'hangs' : 'dies by a signal'} is reported, with the call`, async () => {
    const report = await runHostile({ kind: 'posix', mode, seed, rounds: 1, hangMs: 2000, maxRestarts: 0 });
    const found = report.failures.find((f) => f.kind === kind);
    assert.ok(found, `expected a '${kind}' failure, got: ${JSON.stringify(report.failures)}`);
    assert.match(found!.what, what);
    assert.match(found!.call, /^selftest\./);
    assert.match(found!.replay, /SHMKIT_FUZZ_SEED=\d+/);
  });
}

harness.run();

// ---- the corruption rounds (issue 9) ---------------------------------------

const hostile = suite('hostile peer: corruption between API calls');
hostile.after.each(cleanup);


for (const [kind, mode, count] of [['posix', 'write', 200], ['sysv', 'write', 200], ['posix', 'readonly', 80], ['sysv', 'readonly', 80]] as const) {
  hostile(`${kind}, ${mode === 'write' ? 'read-write API' : 'read-only attachment, read calls'}: no signal, no hang, only ShmErrors, views inside, canaries intact`, async () => {
    const n = roundsOr(count);
    verdict(await runHostile({ kind, mode, seed, from, rounds: n }), n);
  });
}

hostile.run();
