// "Did you mean …?" for a mistyped command or option.

/** Edits (insert, delete, change, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const change = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + change);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidates nearest to `word`: close enough to be a slip (one edit in
 * three letters), or begun by it. Empty when nothing is near.
 */
function nearest(word: string, candidates: readonly string[]): string[] {
  const typed = word.toLowerCase();
  const allowed = Math.max(1, Math.floor(typed.length / 3));
  const scored = candidates.map((name) => ({ name, distance: typed.length >= 2 && name.startsWith(typed) ? 0 : editDistance(typed, name) }));
  const best = Math.min(...scored.map((s) => s.distance));
  return best > allowed ? [] : scored.filter((s) => s.distance === best).map((s) => s.name);
}

/**
 * " (did you mean 'list'?)", or nothing when no candidate is near.
 * `sameAs` maps a name to the one it stands for (an alias to its command),
 * so one thing is not offered twice.
 */
export function didYouMean(word: string, candidates: readonly string[], prefix = '', sameAs = (name: string) => name): string {
  const near = [...new Set(nearest(word, candidates).map(sameAs))];
  return near.length === 0 ? '' : ` (did you mean ${near.map((n) => `'${prefix}${n}'`).join(' or ')}?)`;
}
