// Markdown tables, a hand-written SVG bar chart and the stored rows (bench/results.ts) for bench/channel.bench.ts.
import { median } from '../measure.js';
import { resultRow, type ResultRow } from '../results.js';
import type { Family, Kind } from './case.js';

export interface Row {
  name: string;
  kind: Kind;
  family: Family;
  /** ns per op, every repeat of every round; empty if the case failed. */
  nsPerOp: number[];
  /** Why it has no numbers. */
  error?: string;
  /** The rows this one's ratios are taken against (names within the same kind). */
  socket?: string;
  limit?: string;
  goal?: number;
}

export const TITLES: Record<Kind, string> = {
  latency: 'Round trip of a 64-byte message',
  throughput: '64-byte messages, one way',
  stream: 'Streaming',
};

/** A row's value in display units: µs per round trip, million messages/s, GB/s. */
export function value(kind: Kind, nsPerOp: number): number {
  if (kind === 'latency') return nsPerOp / 1000;
  if (kind === 'throughput') return 1000 / nsPerOp; // 1e9 / ns / 1e6
  return 1 / nsPerOp; // bytes per ns = GB/s
}

const UNIT: Record<Kind, string> = { latency: 'µs', throughput: 'M msgs/s', stream: 'GB/s' };
const HEAD: Record<Kind, string> = { latency: 'round trip, median µs', throughput: 'median M msgs/s', stream: 'median GB/s' };
const BETTER: Record<Kind, string> = { latency: 'lower is better', throughput: 'higher is better', stream: 'higher is better' };

/** Three significant digits, without exponent notation. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return x.toFixed(Math.min(digits, 6));
}

function byName(rows: Row[], kind: Kind, name: string | undefined): Row | undefined {
  return name === undefined ? undefined : rows.find((r) => r.kind === kind && r.name === name && r.nsPerOp.length > 0);
}

/** Speed of `row` relative to `base` (> 1: faster), from medians. */
function ratio(row: Row, base: Row | undefined): string {
  if (!base || row.nsPerOp.length === 0) return '–';
  if (base === row) return '1×';
  return `${fmt(median(base.nsPerOp) / median(row.nsPerOp))}×`;
}

function spread(kind: Kind, ns: number[]): string {
  const values = ns.map((x) => value(kind, x)).sort((a, b) => a - b);
  return `${fmt(values[0]!)}–${fmt(values[values.length - 1]!)}`;
}

const FAMILY: Record<Family, string> = { node: '', c: ' *(C limit)*', shmkit: ' **(shmkit)**' };

export function markdown(rows: Row[], kinds: Kind[], streamBytes: number): string {
  const out: string[] = [];
  for (const kind of kinds) {
    const these = rows.filter((r) => r.kind === kind);
    if (these.length === 0) continue;
    const title = kind === 'stream' ? `${TITLES.stream} ${formatBytes(streamBytes)}` : TITLES[kind];
    out.push(`### ${title} (${UNIT[kind]}, ${BETTER[kind]})`, '');
    out.push(`| case | ${HEAD[kind]} | min–max | runs | speed × unix socket | speed × C limit |`);
    out.push('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of these) {
      if (r.nsPerOp.length === 0) {
        out.push(`| ${r.name}${FAMILY[r.family]} | failed: ${(r.error ?? '').replace(/\|/g, '\\|').split('\n')[0]} | | | | |`);
        continue;
      }
      const m = value(kind, median(r.nsPerOp));
      out.push(`| ${r.name}${FAMILY[r.family]} | ${fmt(m)} | ${spread(kind, r.nsPerOp)} | ${r.nsPerOp.length} | ${ratio(r, byName(rows, kind, r.socket))} | ${ratio(r, byName(rows, kind, r.limit))} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1 << 30 && bytes % (1 << 30) === 0) return `${bytes / (1 << 30)} GiB`;
  if (bytes >= 1 << 20) return `${+(bytes / (1 << 20)).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

// ─── SVG ─────────────────────────────────────────────────────────────────

const COLOURS: Record<Family, string> = { node: '#4a78b5', c: '#8a8a8a', shmkit: '#e07b24' };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One panel per kind, horizontal bars on a log scale (median), whiskers min–max. */
export function svg(rows: Row[], kinds: Kind[], subtitle: string, streamBytes: number): string {
  const width = 960;
  const labelWidth = 330;
  const valueWidth = 90;
  const plotLeft = labelWidth + 10;
  const plotWidth = width - plotLeft - valueWidth - 20;
  const rowHeight = 22;
  const parts: string[] = [];
  let y = 56;
  parts.push(`<text x="16" y="26" font-size="17" font-weight="bold">shmkit channel benchmark: 64-byte messages between processes</text>`);
  parts.push(`<text x="16" y="45" font-size="12" fill="#555">${escape(subtitle)}</text>`);
  for (const kind of kinds) {
    const these = rows.filter((r) => r.kind === kind && r.nsPerOp.length > 0);
    if (these.length === 0) continue;
    const values = these.flatMap((r) => r.nsPerOp.map((x) => value(kind, x)));
    const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values))));
    const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values))));
    const decades = Math.max(1, Math.log10(hi / lo));
    const xOf = (v: number) => plotLeft + (Math.log10(v / lo) / decades) * plotWidth;
    y += 18;
    const title = kind === 'stream' ? `${TITLES.stream} ${formatBytes(streamBytes)}` : TITLES[kind];
    parts.push(`<text x="16" y="${y}" font-size="14" font-weight="bold">${escape(`${title} — ${UNIT[kind]}, log scale, ${BETTER[kind]}`)}</text>`);
    y += 10;
    const top = y;
    const bottom = top + these.length * rowHeight + 4;
    for (let d = 0; d <= decades; d++) { // grid and tick labels
      const v = lo * Math.pow(10, d);
      const x = xOf(v);
      parts.push(`<line x1="${x.toFixed(1)}" y1="${top}" x2="${x.toFixed(1)}" y2="${bottom}" stroke="#ddd"/>`);
      parts.push(`<text x="${x.toFixed(1)}" y="${bottom + 13}" font-size="10" text-anchor="middle" fill="#666">${escape(fmt(v))}</text>`);
    }
    for (const r of these) {
      const m = value(kind, median(r.nsPerOp));
      const vs = r.nsPerOp.map((x) => value(kind, x));
      const cy = y + rowHeight / 2;
      parts.push(`<text x="${labelWidth}" y="${cy + 4}" font-size="12" text-anchor="end">${escape(r.name)}</text>`);
      parts.push(`<rect x="${plotLeft}" y="${cy - 7}" width="${Math.max(1, xOf(m) - plotLeft).toFixed(1)}" height="14" fill="${COLOURS[r.family]}"/>`);
      const [a, b] = [xOf(Math.min(...vs)), xOf(Math.max(...vs))];
      parts.push(`<line x1="${a.toFixed(1)}" y1="${cy}" x2="${b.toFixed(1)}" y2="${cy}" stroke="#222"/>`);
      parts.push(`<line x1="${a.toFixed(1)}" y1="${cy - 4}" x2="${a.toFixed(1)}" y2="${cy + 4}" stroke="#222"/>`);
      parts.push(`<line x1="${b.toFixed(1)}" y1="${cy - 4}" x2="${b.toFixed(1)}" y2="${cy + 4}" stroke="#222"/>`);
      parts.push(`<text x="${width - valueWidth - 4}" y="${cy + 4}" font-size="12">${escape(fmt(m))}</text>`);
      y += rowHeight;
    }
    y = bottom + 24;
  }
  const legend = (Object.keys(COLOURS) as Family[]).map((f, i) => {
    const x = 16 + i * 170;
    const label = f === 'node' ? 'what Node has today' : f === 'c' ? 'C limit (gcc, same run)' : 'shmkit';
    return `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${COLOURS[f]}"/><text x="${x + 18}" y="${y}" font-size="12">${label}</text>`;
  });
  parts.push(...legend, `<text x="${16 + 3 * 170}" y="${y}" font-size="12" fill="#555">bars: median; whiskers: min–max of the runs</text>`);
  const height = y + 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** The goal lines: each row with a goal, met or not. */
export function goals(rows: Row[]): string[] {
  return rows.filter((r) => r.goal !== undefined).map((r) => {
    if (r.nsPerOp.length === 0) return `- ${r.name} (${r.kind}): failed, goal ${r.kind === 'latency' ? '≤' : '≥'} ${fmt(r.goal!)} ${UNIT[r.kind]}`;
    const m = value(r.kind, median(r.nsPerOp));
    const met = r.kind === 'latency' ? m <= r.goal! : m >= r.goal!;
    return `- ${r.name} (${r.kind}): ${fmt(m)} ${UNIT[r.kind]} (goal ${r.kind === 'latency' ? '≤' : '≥'} ${fmt(r.goal!)} ${UNIT[r.kind]}): ${met ? 'met' : '**NOT met**'}`;
  });
}

/** A goal that is a ratio of two rows' medians in this run: `of` ÷ `to` (in display units) at most, or at least, `bound`. */
export interface RatioGoal {
  what: string;
  kind: Kind;
  of: string;
  to: string;
  most?: number;
  least?: number;
}

/** The ratio goal lines, met or not: ratios hold on fast and slow machines alike, where absolute figures do not. */
export function ratioGoals(rows: Row[], wanted: RatioGoal[]): string[] {
  return wanted.map((g) => {
    const find = (name: string) => rows.find((r) => r.kind === g.kind && r.name === name && r.nsPerOp.length > 0);
    const of = find(g.of);
    const to = find(g.to);
    const bound = g.most !== undefined ? `≤ ${fmt(g.most)}×` : `≥ ${fmt(g.least!)}×`;
    if (!of || !to) return `- ${g.what}: not measured (goal ${bound})`;
    const ratio = value(g.kind, median(of.nsPerOp)) / value(g.kind, median(to.nsPerOp));
    const met = g.most !== undefined ? ratio <= g.most : ratio >= g.least!;
    return `- ${g.what}: ${fmt(ratio)}× (${g.of} ${fmt(value(g.kind, median(of.nsPerOp)))} ${UNIT[g.kind]} ÷ ${g.to} ${fmt(value(g.kind, median(to.nsPerOp)))} ${UNIT[g.kind]}; goal ${bound}): ${met ? 'met' : '**NOT met**'}`;
  });
}

/** The rows as bench/results.ts stores them: one table per kind, samples in display units. */
export function resultRows(rows: Row[]): ResultRow[] {
  return rows.map((r) => resultRow(TITLES[r.kind], r.name, UNIT[r.kind], r.kind === 'latency' ? 'lower' : 'higher',
    r.nsPerOp.map((ns) => value(r.kind, ns)), r.error));
}
