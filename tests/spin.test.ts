// The spin policy every host follows (assembly/spin.ts, ABI §4): the rule
// that sets a waiting handle's budget from its own waits, checked on the
// core itself, and the host's spin phase that runs it; and the liveness
// slices a sleeper looks up after (assembly/liveness.ts). No timing: the
// waits are stated, not slept.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { coreConstants, instantiateCore } from '../host/core/core.js';
import { coreModule } from '../host/core/node-module.js';
import { Deadline, LivenessSlices, Spinner } from '../host/wait/index.js';

const core = instantiateCore(coreModule(), new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true }));
const { SPIN_START_NS: START, SPIN_MIN_NS: MIN, SPIN_MAX_NS: MAX } = coreConstants(core);
const next = (budget: number, waited: number, slept: boolean) => core.spinBudgetNext(budget, waited, slept ? 1 : 0) >>> 0;

const rule = suite('spin budget rule (core)');

rule('stays within SPIN_MIN_NS … SPIN_MAX_NS whatever it is given, host-private garbage included', () => {
  const values = [0, 1, MIN - 1, MIN, START, MAX, MAX + 1, 0x7fffffff, 0xffffffff];
  for (const budget of values) for (const waited of values) for (const slept of [false, true]) {
    const b = next(budget, waited, slept);
    assert.ok(b >= MIN && b <= MAX, `next(${budget}, ${waited}, ${slept}) = ${b}`);
  }
  assert.ok(MIN <= START && START <= MAX);
});

rule('a partner gone quiet: each long wait halves the budget, down to the floor', () => {
  let budget = MAX;
  const seen = [budget];
  while (budget > MIN) seen.push((budget = next(budget, 10 * MAX, true)));
  assert.equal(seen.slice(0, 3), [MAX, MAX >> 1, MAX >> 2]);
  assert.ok(seen.length <= 1 + Math.ceil(Math.log2(MAX / MIN)), `${seen.length} waits to the floor`);
  assert.is(next(MIN, 10 * MAX, true), MIN);
});

rule('answers while spinning: the budget keeps 4× the wait, else shrinks by a sixteenth', () => {
  assert.is(next(MIN, MAX / 4, false), MAX); // a late answer raises it
  assert.is(next(MAX, 1000, false), MAX - (MAX >> 4)); // early ones let it shrink slowly
  let budget = MAX;
  for (let i = 0; i < 200; i++) budget = next(budget, 100, false);
  assert.is(budget, MIN);
});

rule('a short wait that slept: the budget grows to cover it (its length and a quarter)', () => {
  const waited = MAX / 2;
  assert.is(next(MIN, waited, true), waited + waited / 4);
  assert.is(next(MAX, waited, true), MAX); // never shrinks for it
});

rule.run();

const spinner = suite('Spinner (host spin phase)');

spinner('a number is exactly that many attempts; 0 is none; adaptive answers when the attempt does', () => {
  const s = new Spinner(core);
  let calls = 0;
  const never = () => (calls++, null);
  assert.is(s.spin(never, 7, performance.now(), new Deadline(Infinity)), null);
  assert.is(calls, 7);
  calls = 0;
  assert.is(s.spin(never, 0, performance.now(), new Deadline(Infinity)), null);
  assert.is(calls, 0);
  let n = 0;
  assert.is(s.spin(() => (++n === 3 ? 'got' : null), 'adaptive', performance.now(), new Deadline(Infinity)), 'got');
  assert.is(n, 3); // the clock is first read after SPIN_CLOCK_EVERY attempts, so the budget cannot cut these short
});

spinner('adaptive spins no longer than the deadline allows: a timeout of 0 makes a handful of attempts', () => {
  const s = new Spinner(core);
  let calls = 0;
  assert.is(s.spin(() => (calls++, null), undefined, performance.now(), new Deadline(0)), null);
  assert.is(calls, coreConstants(core).SPIN_CLOCK_EVERY);
});

spinner('a wait that slept long halves the budget; a fixed spin teaches nothing', () => {
  const s = new Spinner(core);
  const long = performance.now() - 1; // a wait that began a millisecond ago
  s.slept(long, 5);
  assert.is(s.budgetNs, START);
  s.slept(long, undefined);
  assert.is(s.budgetNs, Math.max(MIN, START >> 1));
});

spinner.run();

const slices = suite('liveness slices');
const { LIVENESS_SLICE_FIRST_MS: FIRST, LIVENESS_SLICE_MAX_MS: LONGEST } = coreConstants(core);

slices('the core rule doubles a quiet slice up to LIVENESS_SLICE_MAX_MS and clamps garbage', () => {
  assert.ok(FIRST > 0 && FIRST < LONGEST);
  assert.is(core.livenessSliceNext(FIRST) >>> 0, Math.min(2 * FIRST, LONGEST));
  for (const ms of [0, 1, FIRST - 1, FIRST, LONGEST - 1, LONGEST, LONGEST + 1, 0x7fffffff, 0xffffffff]) {
    const next = core.livenessSliceNext(ms) >>> 0;
    assert.ok(next >= FIRST && next <= LONGEST, `livenessSliceNext(${ms}) = ${next}`);
  }
});

slices('a wait starts at the first slice, grows only on quiet slices, and reaches the longest in a few', () => {
  const s = new LivenessSlices(core);
  assert.is(s.ms, FIRST);
  assert.is(s.quiet('woken'), false);
  assert.is(s.quiet('not-equal'), false);
  assert.is(s.ms, FIRST); // wake-ups say the holder acts: no reason to look less often
  let quietSlices = 0;
  while (s.ms < LONGEST) {
    assert.is(s.quiet('timed-out'), true);
    quietSlices++;
  }
  assert.ok(quietSlices <= Math.ceil(Math.log2(LONGEST / FIRST)), `${quietSlices} quiet slices to the longest`);
  s.quiet('timed-out');
  assert.is(s.ms, LONGEST);
});

slices.run();
