// The README's fenced code blocks, as the doc-test sees them. A block is
// run unless the line before it (blank lines aside) is a marker
// `<!-- not run: why -->`. A JavaScript, TypeScript or Python block is saved
// under the name on its first line (`// name.mjs`, `# name.py`); a block whose name another
// block mentions is that block's second process, started by it, not run
// on its own. Shell blocks run when they call the shmkit CLI.

export type Language = 'js' | 'ts' | 'py' | 'sh';

export interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string, as written. */
  info: string;
  language: Language | undefined;
  /** The file the block is saved as in the doc-test's project. */
  name: string;
  code: string;
  /** The marker's reason, when the block is not to be run. */
  notRun?: string;
  /** The name of the block that starts this one as its second process. */
  startedBy?: string;
}

const LANGUAGES: Record<string, Language> = {
  js: 'js', mjs: 'js', javascript: 'js',
  ts: 'ts', typescript: 'ts',
  py: 'py', python: 'py',
  sh: 'sh', bash: 'sh', shell: 'sh',
};
/** Fences without a language, or marked as text, hold pictures and output: no code. */
const TEXT = new Set(['', 'text', 'txt']);
const MARKER = /^<!--\s*not run:\s*(\S.*?)\s*-->$/;
const NAME_LINE: Record<Language, RegExp> = {
  js: /^\/\/ ([\w.-]+\.m?js)\b/,
  ts: /^\/\/ ([\w.-]+\.m?ts)\b/,
  py: /^# ([\w.-]+\.py)\b/,
  sh: /^# ([\w.-]+\.sh)\b/,
};
const EXTENSION: Record<Language, string> = { js: 'mjs', ts: 'ts', py: 'py', sh: 'sh' };
/** A shell line that runs the CLI. */
export const CLI_CALL = /^\s*(?:npx\s+)?shmkit\b/m;

/** Every fenced code block of `markdown` that holds code. */
export function readmeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const info = open[1]!;
    const close = lines.findIndex((text, j) => j > i && /^```\s*$/.test(text));
    if (close < 0) throw new Error(`README line ${i + 1}: the code block is never closed`);
    const code = lines.slice(i + 1, close).join('\n') + '\n';
    const line = i + 1;
    i = close;
    if (TEXT.has(info)) continue;
    const language = LANGUAGES[info];
    const named = language && NAME_LINE[language].exec(code);
    blocks.push({
      line, info, language, code,
      name: named ? named[1]! : `readme-line-${line}.${language ? EXTENSION[language] : info}`,
      notRun: markerBefore(lines, line - 1),
    });
  }
  for (const block of blocks) {
    const starter = blocks.find((other) => other !== block && other.notRun === undefined && mentions(other, block.name));
    if (starter) block.startedBy = starter.name;
  }
  return blocks;
}

/** The reason of a `not run` marker on the last non-blank line before index `fence`. */
function markerBefore(lines: string[], fence: number): string | undefined {
  let i = fence - 1;
  while (i >= 0 && lines[i]!.trim() === '') i--;
  return i >= 0 ? MARKER.exec(lines[i]!.trim())?.[1] : undefined;
}

/** Whether `block`'s code, past its own name line, names the file `name`. */
function mentions(block: Block, name: string): boolean {
  const body = block.code.slice(block.code.indexOf('\n') + 1);
  return new RegExp(`(^|[^\\w.-])${name.replaceAll('.', '\\.')}($|[^\\w.-])`).test(body);
}
