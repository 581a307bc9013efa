// Names the first field where two canonical struct descriptions differ, so a
// layout mismatch says what changed instead of only that hashes differ.

/** Top-level `name:type@offset` members of `struct N{…}size=…`. */
function members(description: string): string[] {
  const open = description.indexOf('{');
  const parts: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < description.length; i++) {
    const c = description[i];
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) {
        parts.push(description.slice(start, i));
        break;
      }
      depth--;
    } else if (c === ';' && depth === 0) {
      parts.push(description.slice(start, i));
      start = i + 1;
    }
  }
  return parts.filter(Boolean);
}

function fieldName(member: string): string {
  return member.slice(0, member.indexOf(':'));
}

/** A sentence naming the first differing field of two struct descriptions. */
export function firstDifference(stored: string, ours: string): string {
  const a = members(stored);
  const b = members(ours);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    if (a[i] === undefined) return `field '${fieldName(b[i]!)}' is new here (${b[i]})`;
    if (b[i] === undefined) return `field '${fieldName(a[i]!)}' exists in the segment but not here (${a[i]})`;
    if (fieldName(a[i]!) !== fieldName(b[i]!)) return `field ${i} is '${fieldName(a[i]!)}' in the segment but '${fieldName(b[i]!)}' here`;
    return `field '${fieldName(b[i]!)}' is ${a[i]!.slice(a[i]!.indexOf(':') + 1)} in the segment but ${b[i]!.slice(b[i]!.indexOf(':') + 1)} here`;
  }
  const tail = (d: string) => d.slice(d.lastIndexOf('}') + 1);
  if (stored.slice(0, stored.indexOf('{')) !== ours.slice(0, ours.indexOf('{'))) {
    return `the struct is '${stored.slice(7, stored.indexOf('{'))}' in the segment but '${ours.slice(7, ours.indexOf('{'))}' here`;
  }
  return `the struct's ${tail(stored)} in the segment differs from ${tail(ours)} here`;
}
