// Two runs of one bench, row by row (bench/results.ts's format): which rows'
// medians moved by more than their run-to-run spread, and which appeared or
// disappeared. Pure: bench/run.ts --compare does the reading and printing.
import { RESULTS_FORMAT, type BenchResults, type Better, type ResultRow } from './results.js';

export type Verdict = 'better' | 'worse' | 'appeared' | 'disappeared';

export interface Change {
  bench: string;
  table: string;
  name: string;
  unit: string;
  better: Better;
  verdict: Verdict;
  /** Medians, in `unit`; null on the side the row is missing from. */
  old: number | null;
  new: number | null;
  /** new ÷ old. */
  ratio: number | null;
  /** How far the median had to move to count: the wider of the two p10–p90 spreads. */
  threshold: number | null;
  /** Why a row has no figures (it failed). */
  note?: string;
}

export interface Comparison {
  changes: Change[];
  /** Rows present, with figures, in both runs. */
  compared: number;
  /** Things the reader should know: no stored run, other settings, another format. */
  notes: string[];
}

function key(row: ResultRow): string {
  return `${row.table}\u0000${row.name}\u0000${row.unit}`;
}

function hasFigures(row: ResultRow | undefined): row is ResultRow & { median: number; spread: [number, number] } {
  return row !== undefined && row.samples.length > 0 && row.median !== null && row.spread !== null;
}

/**
 * A row is flagged when |new median − old median| exceeds the wider of the
 * two runs' p10–p90 spreads. The wider, not the narrower: a run that was
 * noisy on either side makes a move of that size ordinary. p10–p90 rather
 * than min–max, so one descheduled repeat does not hide a regression (below
 * 10 samples it is min–max: nothing narrower is honest with so few).
 */
export function compareResults(before: BenchResults | undefined, after: BenchResults): Comparison {
  const notes: string[] = [];
  if (before === undefined) {
    notes.push(`${after.bench}: no stored results to compare with`);
    return { changes: [], compared: 0, notes };
  }
  if (before.format !== RESULTS_FORMAT || after.format !== RESULTS_FORMAT) {
    notes.push(`${after.bench}: stored format ${before.format}, this run's ${after.format}: not compared`);
    return { changes: [], compared: 0, notes };
  }
  if (JSON.stringify(before.run.settings) !== JSON.stringify(after.run.settings)) {
    notes.push(`${after.bench}: settings differ (stored ${JSON.stringify(before.run.settings)}, now ${JSON.stringify(after.run.settings)}): moves may come from them`);
  }
  const old = new Map(before.rows.map((r) => [key(r), r]));
  const now = new Map(after.rows.map((r) => [key(r), r]));
  const changes: Change[] = [];
  let compared = 0;
  const change = (row: ResultRow, verdict: Verdict, o: number | null, n: number | null, threshold: number | null, note?: string): Change => ({
    bench: after.bench, table: row.table, name: row.name, unit: row.unit, better: row.better, verdict,
    old: o, new: n, ratio: o !== null && n !== null && o !== 0 ? n / o : null, threshold,
    ...(note === undefined ? {} : { note }),
  });
  for (const row of after.rows) {
    const was = old.get(key(row));
    if (!hasFigures(row)) {
      if (hasFigures(was)) changes.push(change(row, 'disappeared', was.median, null, null, row.error && `failed: ${row.error}`));
      continue;
    }
    if (!hasFigures(was)) {
      changes.push(change(row, 'appeared', null, row.median, null, was?.error && 'failed in the stored run'));
      continue;
    }
    compared++;
    const threshold = Math.max(was.spread[1] - was.spread[0], row.spread[1] - row.spread[0]);
    const moved = row.median - was.median;
    if (Math.abs(moved) <= threshold) continue;
    const improved = row.better === 'lower' ? moved < 0 : moved > 0;
    changes.push(change(row, improved ? 'better' : 'worse', was.median, row.median, threshold));
  }
  for (const row of before.rows) {
    if (!now.has(key(row)) && hasFigures(row)) changes.push(change(row, 'disappeared', row.median, null, null));
  }
  return { changes, compared, notes };
}

/** Three significant digits, without exponent notation. */
function fmt(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  return x.toFixed(Math.min(6, Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))))));
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').split('\n')[0]!;
}

/** The report: one table of every flagged row, the notes, and a last line that counts the rows that got worse. */
export function compareMarkdown(comparisons: Comparison[], stored: string[]): string {
  const changes = comparisons.flatMap((c) => c.changes);
  const notes = comparisons.flatMap((c) => c.notes);
  const compared = comparisons.reduce((n, c) => n + c.compared, 0);
  const count = (v: Verdict) => changes.filter((c) => c.verdict === v).length;
  const out = ['## Compared with the stored results', '', ...stored.map((s) => `- ${s}`), ''];
  out.push('A row is listed when its median moved by more than the wider of the two runs\' p10–p90 spreads (min–max below 10 samples).', '');
  if (changes.length) {
    out.push('| bench | table | case | unit | old median | new median | new ÷ old | spread | verdict |');
    out.push('| --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- |');
    for (const c of changes) {
      const verdict = c.verdict === 'worse' ? '**worse**' : c.note ? `${c.verdict} (${cell(c.note)})` : c.verdict;
      out.push(`| ${c.bench} | ${cell(c.table)} | ${cell(c.name)} | ${c.unit} (${c.better} is better) | ${fmt(c.old)} | ${fmt(c.new)} | ${c.ratio === null ? '–' : `${fmt(c.ratio)}×`} | ${fmt(c.threshold)} | ${verdict} |`);
    }
    out.push('');
  }
  if (notes.length) out.push(...notes.map((n) => `- ${n}`), '');
  const worse = count('worse');
  out.push(`${compared} rows compared: ${count('better') + worse} moved beyond their spread (${count('better')} better, ${worse} worse); ` +
    `${count('appeared')} appeared, ${count('disappeared')} disappeared.`, '');
  out.push(worse === 0 ? '**No row got worse.**' : `**${worse} row${worse === 1 ? '' : 's'} got worse.**`, '');
  return out.join('\n');
}
