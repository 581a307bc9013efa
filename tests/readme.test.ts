// The README's examples run as printed. Each code block is saved into a
// temporary project where `shmkit` is this checkout's build, and run by
// the current Node (Python blocks: the Python host's venv) in a sandbox of its own (helpers/readme-project.ts): it
// must exit 0, print no stack trace, start the second processes it names,
// and leave nothing behind. TypeScript examples are type-checked against
// the built declarations, then compiled by TypeScript (so `using` runs on
// Node 20 too). A block that is not run says why in a marker before it.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import ts from 'typescript';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from './helpers/paths.js';
import { CLI_CALL, readmeBlocks, type Block } from './helpers/readme-blocks.js';
import { ReadmeProject, type SandboxRun } from './helpers/readme-project.js';
// @ts-expect-error: a plain .mjs script without declarations
import { pythonEnv } from '../scripts/python-env.mjs';

const blocks = readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
const where = (block: Block) => `README line ${block.line} (${block.info}, ${block.name})`;
const runnable = blocks.filter((block) => block.notRun === undefined && block.language !== undefined);
const STACK_FRAME = /^ {4}at \S/m;

const test = suite('README examples');
let project: ReadmeProject;
/** What runs for each block: the block as saved, or what TypeScript made of it. */
const programs = new Map<string, string>();

test.before(() => {
  project = new ReadmeProject();
  for (const block of runnable) {
    const saved = project.write(block.name, block.code);
    if (block.language !== 'ts') {
      programs.set(block.name, saved);
      continue;
    }
    const js = ts.transpileModule(block.code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
    programs.set(block.name, project.write(block.name.replace(/\.m?ts$/, '.compiled.mjs'), js));
  }
});

test.after(() => {
  project?.remove();
  const notRun = blocks.filter((block) => block.notRun !== undefined);
  const started = runnable.filter((block) => block.startedBy !== undefined);
  console.log(`\n  README: ${runnable.length - started.length} examples run, ${started.length} more started by them as second processes, ` +
    `${notRun.length} blocks not run (${notRun.map((block) => `line ${block.line}: ${block.notRun}`).join('; ')})`);
});

test('every code block is run, started by another, or marked as not run', () => {
  for (const block of blocks) {
    if (block.notRun !== undefined) continue;
    const mark = 'mark it with `<!-- not run: why -->` on the line before it';
    assert.ok(block.language, `${where(block)}: the test runs no \`${block.info}\` block; ${mark}`);
    if (block.language === 'sh') assert.match(block.code, CLI_CALL, `${where(block)}: a shell block that does not call the shmkit CLI is not run here; ${mark}`);
  }
  const names = runnable.map((block) => block.name);
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  assert.equal(twice, [], 'two blocks carry the same file name on their first line');
});

test('the TypeScript examples type-check against the built declarations', () => {
  const files = runnable.filter((block) => block.language === 'ts').map((block) => join(project.dir, block.name));
  if (files.length === 0) return;
  const { options, errors } = ts.convertCompilerOptionsFromJson({
    strict: true, noEmit: true, skipLibCheck: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext',
    lib: ['ES2023', 'ESNext.Disposable'], types: ['node'],
  }, project.dir);
  assert.equal(errors, []);
  const program = ts.createProgram(files, options);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.formatDiagnostic(d, {
    getCanonicalFileName: (name) => name, getCurrentDirectory: () => project.dir, getNewLine: () => '\n',
  }));
  assert.equal(diagnostics, []);
});

for (const block of blocks) {
  if (block.notRun !== undefined) {
    test.skip(`${where(block)}: not run: ${block.notRun}`, () => {});
  } else if (block.language !== undefined && block.startedBy === undefined) {
    test(`${where(block)} runs and leaves nothing behind`, async () => {
      const program = programs.get(block.name)!;
      const command = block.language === 'sh' ? ['/bin/sh', '-e', program] : block.language === 'py' ? [pythonEnv() as string, program] : [process.execPath, program];
      check(block, await project.run(block.name, command));
    });
  }
}

function check(block: Block, run: SandboxRun): void {
  const said = `\n--- its output:\n${run.output}`;
  assert.not.match(run.output, /^unshare: /m, `${where(block)}: no sandbox (unshare(1) needs root, or user namespaces for others)${said}`);
  assert.ok(run.code !== 125, `${where(block)}: the sandbox could not mount its /dev/shm${said}`);
  assert.is(run.signal, null, `${where(block)}: killed by ${run.signal} (a hang is killed after two minutes)${said}`);
  assert.is(run.code, 0, `${where(block)}: exit status ${run.code}${said}`);
  assert.not.match(run.output, STACK_FRAME, `${where(block)} printed a stack trace${said}`);
  assert.not.match(run.output, /DeprecationWarning/, `${where(block)} uses a retired name: show the current one${said}`);
  assert.equal(run.leftovers, [], `${where(block)} left things behind`);
  const started = run.started.map((path) => basename(path));
  for (const second of runnable.filter((other) => other.startedBy === block.name)) {
    assert.ok(started.includes(second.name), `${where(block)} names ${second.name} but never ran it as a process of its own (ran: ${started.join(', ')})`);
  }
}

test.run();
