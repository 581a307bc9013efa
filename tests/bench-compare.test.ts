// npm run bench -- --compare's rule (bench/compare.ts) on hand-made results:
// a row is flagged when its median moved by more than the wider of the two
// runs' p10–p90 spreads, in the direction its unit calls better or worse;
// rows that appear or disappear are listed. No timing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compareMarkdown, compareResults } from '../bench/compare.js';
import { RESULTS_FORMAT, resultRow, type BenchResults, type ResultRow } from '../bench/results.js';

function results(rows: ResultRow[], settings: Record<string, unknown> = { repeats: 5 }): BenchResults {
  return {
    format: RESULTS_FORMAT, bench: 'toy', rows,
    run: { date: '2026-01-01T00:00:00.000Z', node: 'v20.0.0', arch: 'x64', cpus: 2, cpuModel: 'test', commit: 'abc', dirty: false, argv: [], settings },
  };
}
const ns = (name: string, samples: number[], table = 'T') => resultRow(table, name, 'ns/op', 'lower', samples);
const rate = (name: string, samples: number[]) => resultRow('T', name, 'M msgs/s', 'higher', samples);
const flagged = (c: ReturnType<typeof compareResults>) => c.changes.map((x) => `${x.name}:${x.verdict}`).sort();

const rule = suite('bench compare rule');

rule('a move within the wider spread is not listed; beyond it, it is, with its direction', () => {
  const before = results([
    ns('steady', [10, 10.5, 11, 11.5, 12]), // median 11, spread 2
    ns('slower', [10, 10.5, 11, 11.5, 12]),
    ns('faster', [10, 10.5, 11, 11.5, 12]),
    ns('noisy now', [10, 10.5, 11, 11.5, 12]),
    rate('rate down', [100, 101, 102, 103, 104]), // median 102, spread 4
    rate('rate up', [100, 101, 102, 103, 104]),
  ]);
  const after = results([
    ns('steady', [12, 12.5, 13, 13.5, 14]), // +2: not more than 2
    ns('slower', [13, 13.5, 14, 14.5, 15]), // +3 > 2: worse
    ns('faster', [7, 7.5, 8, 8.5, 9]), // −3: better
    ns('noisy now', [9, 12, 14, 16, 19]), // +3, but this run's spread is 10
    rate('rate down', [90, 91, 92, 93, 94]), // −10 on a higher-is-better row
    rate('rate up', [110, 111, 112, 113, 114]),
  ]);
  const c = compareResults(before, after);
  assert.equal(flagged(c), ['faster:better', 'rate down:worse', 'rate up:better', 'slower:worse']);
  assert.is(c.compared, 6);
  const slower = c.changes.find((x) => x.name === 'slower')!;
  assert.equal([slower.old, slower.new, slower.threshold], [11, 14, 2]);
  assert.ok(Math.abs(slower.ratio! - 14 / 11) < 1e-12);
  assert.equal(c.notes, []);
});

rule('the old run\'s spread counts as much as the new one\'s', () => {
  const c = compareResults(results([ns('a', [5, 8, 11, 14, 17])]), results([ns('a', [15.5, 15.9, 16, 16.1, 16.5])]));
  assert.equal(flagged(c), []); // +5 against a stored spread of 12
});

rule('rows that appear, disappear or fail are listed; the same name in another table is another row', () => {
  const before = results([ns('kept', [1, 1, 1]), ns('gone', [1, 1, 1]), ns('breaks', [1, 1, 1]), resultRow('T', 'was broken', 'ns/op', 'lower', [], 'boom'), ns('kept', [1, 1, 1], 'U')]);
  const after = results([ns('kept', [1, 1, 1]), ns('new', [1, 1, 1]), resultRow('T', 'breaks', 'ns/op', 'lower', [], 'peer died'), ns('was broken', [1, 1, 1]), ns('kept', [1, 1, 1], 'V')]);
  const c = compareResults(before, after);
  assert.equal(flagged(c), ['breaks:disappeared', 'gone:disappeared', 'kept:appeared', 'kept:disappeared', 'new:appeared', 'was broken:appeared']);
  assert.is(c.changes.find((x) => x.name === 'breaks')!.note, 'failed: peer died');
  assert.is(c.compared, 1);
});

rule('no stored run, another format or other settings say so', () => {
  const now = results([ns('a', [1, 2, 3])]);
  assert.equal(compareResults(undefined, now).changes, []);
  assert.match(compareResults(undefined, now).notes[0]!, 'no stored results');
  assert.match(compareResults({ ...now, format: RESULTS_FORMAT + 1 }, now).notes[0]!, 'not compared');
  assert.match(compareResults(results([ns('a', [1, 2, 3])], { repeats: 9 }), now).notes[0]!, 'settings differ');
});

rule('the report ends by counting the rows that got worse', () => {
  const c = compareResults(results([ns('a', [1, 1, 1]), ns('b', [1, 1, 1])]), results([ns('a', [2, 2, 2]), ns('b', [3, 3, 3])]));
  const text = compareMarkdown([c], ['toy: stored']);
  assert.match(text, '| toy | T | a | ns/op (lower is better) | 1.00 | 2.00 | 2.00× | 0 | **worse** |');
  assert.ok(text.trimEnd().endsWith('**2 rows got worse.**'), text);
  assert.ok(compareMarkdown([compareResults(results([]), results([]))], []).trimEnd().endsWith('**No row got worse.**'));
});

rule.run();
