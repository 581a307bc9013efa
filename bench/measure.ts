// Timing helpers shared by the benchmarks: repeat, take medians and spread,
// print a Markdown table with ratios against a baseline row.

export interface Sample {
  name: string;
  /** Nanoseconds per operation, one entry per repetition. */
  nsPerOp: number[];
}

/** Runs `body` (which performs `ops` operations) `repeats` times after a warm-up. */
export function measure(name: string, ops: number, repeats: number, body: () => void): Sample {
  for (let i = 0; i < 3; i++) body(); // let V8 optimise before timing
  const nsPerOp: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    body();
    nsPerOp.push(Number(process.hrtime.bigint() - start) / ops);
  }
  return { name, nsPerOp };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** A Markdown table: median, p10–p90 spread, and ratio to `baseline`. */
export function table(title: string, samples: Sample[], baseline: string): string {
  const base = median(samples.find((s) => s.name === baseline)!.nsPerOp);
  const rows = samples.map((s) => {
    const m = median(s.nsPerOp);
    return `| ${s.name} | ${m.toFixed(2)} | ${quantile(s.nsPerOp, 0.1).toFixed(2)}–${quantile(s.nsPerOp, 0.9).toFixed(2)} | ${(m / base).toFixed(2)}× |`;
  });
  return [`### ${title}`, '', `| case | median ns/op | p10–p90 | vs ${baseline} |`, '| --- | ---: | ---: | ---: |', ...rows, ''].join('\n');
}

/** Per-iteration latencies of one case, in nanoseconds. */
export interface Latencies {
  name: string;
  ns: ArrayLike<number>;
  /** An extra column's cell (see latencyTable's `extra`). */
  extra?: string;
}

/** A Markdown table of per-iteration latency percentiles (in µs). */
export function latencyTable(title: string, rows: Latencies[], quantiles = [0.5, 0.9, 0.99, 0.999], extra?: string): string {
  const head = quantiles.map((q) => `p${+(q * 100).toFixed(1)} µs`);
  const lines = rows.map((r) => {
    const sorted = Float64Array.from(r.ns).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return `| ${r.name} |${extra ? ` ${r.extra ?? ''} |` : ''} ${sorted.length} | ${quantiles.map((q) => (at(q) / 1000).toFixed(1)).join(' | ')} | ${(sorted[sorted.length - 1]! / 1000).toFixed(1)} |`;
  });
  return [
    `### ${title}`, '',
    `| case |${extra ? ` ${extra} |` : ''} samples | ${head.join(' | ')} | max µs |`,
    `| --- |${extra ? ' ---: |' : ''} ---: | ${quantiles.map(() => '---:').join(' | ')} | ---: |`,
    ...lines, '',
  ].join('\n');
}

/** Runs a benchmark's main, cleaning up after it whether it succeeds or fails. */
export function runMain(main: () => Promise<void>, cleanUp: () => void): void {
  main().then(cleanUp, (error) => {
    cleanUp();
    console.error(error);
    process.exitCode = 1;
  });
}
