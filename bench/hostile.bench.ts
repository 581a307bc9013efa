// The long hostile-peer run (`npm run bench:hostile`): thousands of rounds of
// corruption and API calls against a victim process per segment kind and
// mode, with canaries beside the target; prints rounds, fields hit, errors by
// code, every distinct failure, and the seed to replay.
//
//   npm run bench:hostile                                   every kind and mode, default seed
//   SHMKIT_FUZZ_SEED=7 SHMKIT_FUZZ_ROUNDS=20000 npm run bench:hostile
//   SHMKIT_FUZZ_SEED=… SHMKIT_FUZZ_FROM=… SHMKIT_FUZZ_ROUNDS=… npm run bench:hostile -- --kind posix --mode write
//
// Exits 1 when anything failed.
import { parseArgs } from 'node:util';
import { fuzzSettings } from '../tests/fixtures/hostile-random.js';
import { distinctFailures, failureSites, formatFailures, runHostile, type HostileReport } from '../tests/fixtures/hostile-watch.js';
import type { SegmentKind } from '../tests/fixtures/hostile-canary.js';
import type { VictimMode } from '../tests/fixtures/hostile-victim.js';

const { values } = parseArgs({
  options: {
    kind: { type: 'string', multiple: true },
    mode: { type: 'string', multiple: true },
    restarts: { type: 'string' },
  },
});
const kinds = (values.kind ?? ['posix', 'sysv']) as SegmentKind[];
const modes = (values.mode ?? ['write', 'readonly']) as VictimMode[];
const { seed, from, rounds } = fuzzSettings(4000);
const maxRestarts = Number(values.restarts ?? 200);

console.log(`hostile peer: seed ${seed}, rounds ${from}..${from + rounds - 1}, kinds ${kinds.join(', ')}, modes ${modes.join(', ')}`);
const reports: HostileReport[] = [];
for (const kind of kinds) {
  for (const mode of modes) {
    const started = performance.now();
    const report = await runHostile({ kind, mode, seed, from, rounds, maxRestarts });
    reports.push(report);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const codes = Object.entries(report.codes).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ') || 'none';
    console.log(`\n${kind} ${mode}: ${report.rounds} rounds, ${report.calls} calls, ${report.fieldsHit}/${report.fields} fields hit, ${report.victims} victim process(es), ${seconds} s`);
    console.log(`  ShmErrors by code: ${codes}`);
    console.log(`  failures: ${report.failures.length} (${distinctFailures(report.failures).length} distinct)`);
    if (report.failures.length) {
      console.log('  by site (error and first host/ frame, or the call):');
      for (const s of failureSites(report.failures)) {
        const e = s.example;
        console.log(`    ×${s.count} ${s.site}\n        fields: ${[...s.fields].slice(0, 6).join('; ')}\n        e.g. round ${e.round} ${e.field} = ${e.value}, call ${e.call}; replay: ${e.replay}`);
      }
      console.log('  every distinct failure:');
      console.log(formatFailures(report.failures, 400));
    }
  }
}
const failed = reports.reduce((n, r) => n + r.failures.length, 0);
console.log(`\n${failed === 0 ? 'no failures' : `${failed} failures`}; replay with SHMKIT_FUZZ_SEED=${seed} SHMKIT_FUZZ_FROM=${from} SHMKIT_FUZZ_ROUNDS=${rounds}`);
process.exit(failed === 0 ? 0 : 1);
