// The embedding ABI exists three times: the module (build/core.wasm), its
// TypeScript declaration (host/core/core.ts) and its page (docs/ABI.md).
// These suites hold the three in step, and show the page is enough: a
// Python program written from it alone reads a segment made by this host.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CORE_ABI_VERSION, MAX_UNITS, UNIT_SIZE, coreConstants, instantiateCore } from '../host/core/core.js';
import { coreWasmLocation } from '../host/core/wasm-location.js';
import { array, enumOf, openOrCreate, string, struct } from '../host/index.js';
import { cleanup, freshName, keepOpen, trackPosix } from './helpers/resources.js';
import { readInterface, type ValueType } from './helpers/wasm-types.js';

const binary = readFileSync(coreWasmLocation()!);
const module = new WebAssembly.Module(binary);
const wasm = readInterface(binary);
const exported = WebAssembly.Module.exports(module);
const imported = WebAssembly.Module.imports(module);
const core = instantiateCore(module, new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true }));
const globals = coreConstants(core);

/** `name:kind`, sorted: the form both sides are compared in. */
const keyed = (entries: { name: string; kind: string }[]) => entries.map((e) => `${e.name}:${e.kind}`).sort();

function assertSameSet(actual: string[], expected: string[], what: string): void {
  const missing = expected.filter((x) => !actual.includes(x));
  const extra = actual.filter((x) => !expected.includes(x));
  assert.ok(missing.length === 0 && extra.length === 0, `${what}: missing ${JSON.stringify(missing)}, not in the module ${JSON.stringify(extra)}`);
}

// ── host/core/core.ts, as TypeScript declares it ────────────────────────────

interface Declaration {
  functions: Map<string, { params: string[]; result: string }>;
  constants: string[];
  /** The exports besides functions and constants (`memory`), and the imports, as `name:kind`. */
  others: { name: string; kind: string }[];
  imports: { name: string; kind: string }[];
}

const KINDS: Record<string, string> = { WasmMemory: 'memory', WasmGlobal: 'global', 'WebAssembly.Memory': 'memory', 'WebAssembly.Global': 'global', 'WebAssembly.Table': 'table' };

function declaration(): Declaration {
  const source = ts.createSourceFile('core.ts', readFileSync('host/core/core.ts', 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Declaration = { functions: new Map(), constants: [], others: [], imports: [] };
  const properties = (node: ts.Node, prefix: string, out: { name: string; kind: string }[]) => {
    if (ts.isIntersectionTypeNode(node)) node.types.forEach((t) => properties(t, prefix, out));
    if (!ts.isTypeLiteralNode(node)) return;
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const name = prefix + member.name.getText(source);
      if (ts.isTypeLiteralNode(member.type)) properties(member.type, `${name}.`, out);
      else out.push({ name, kind: KINDS[member.type.getText(source)] ?? member.type.getText(source) });
    }
  };
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement) && statement.name.text === 'CoreFunctions') {
      for (const member of statement.members) {
        if (!ts.isMethodSignature(member)) throw new Error(`CoreFunctions declares a non-method: ${member.getText(source)}`);
        found.functions.set(member.name.getText(source), {
          params: member.parameters.map((p) => p.type!.getText(source)),
          result: member.type!.getText(source),
        });
      }
    }
    if (!ts.isTypeAliasDeclaration(statement)) continue;
    if (statement.name.text === 'CoreConstant' && ts.isUnionTypeNode(statement.type)) {
      for (const t of statement.type.types) {
        if (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)) found.constants.push(t.literal.text);
      }
    }
    if (statement.name.text === 'CoreExports') properties(statement.type, '', found.others);
    if (statement.name.text === 'CoreImports') properties(statement.type, '', found.imports);
  }
  return found;
}

const declared = declaration();

// What a TypeScript type stands for in Wasm: a BigInt is an i64, a number any other value.
const TS_FOR: Record<ValueType, string> = { i32: 'number', f32: 'number', f64: 'number', i64: 'bigint', v128: 'never' };

const types = suite('host/core/core.ts declares the module');

types('every export and import, by name and kind, and nothing the module lacks', () => {
  const declaredExports = [
    ...[...declared.functions.keys()].map((name) => ({ name, kind: 'function' })),
    ...declared.constants.map((name) => ({ name, kind: 'global' })),
    ...declared.others,
  ];
  assertSameSet(keyed(declaredExports), keyed(exported), 'exports declared in CoreFunctions, CoreConstant and CoreExports');
  const modules = imported.map((i) => ({ name: `${i.module}.${i.name}`, kind: i.kind }));
  assertSameSet(keyed(declared.imports), keyed(modules), 'imports declared in CoreImports');
});

types('every function with the parameters and result the binary gives it', () => {
  for (const [name, { params, results }] of wasm.functions) {
    const ours = declared.functions.get(name);
    assert.ok(ours, `${name} is not declared`);
    assert.equal(ours.params, params.map((p) => TS_FOR[p]), `${name}: parameters`);
    assert.is(ours.result, results.length === 0 ? 'void' : TS_FOR[results[0]!], `${name}: result`);
  }
});

types("the host's own copies of core numbers are the module's", () => {
  assert.is(CORE_ABI_VERSION, globals.CORE_ABI_VERSION);
  assert.is(UNIT_SIZE, globals.ARENA_UNIT_SIZE);
  assert.is(MAX_UNITS, globals.ARENA_MAX_UNITS);
  const memory = wasm.memories[0]!;
  assert.is(memory.maximum, MAX_UNITS, 'the memory import allows every unit');
  assert.equal(Object.keys(globals).sort(), [...declared.constants].sort(), 'coreConstants reads exactly the declared constants');
});

// ── docs/ABI.md ─────────────────────────────────────────────────────────────

const page = readFileSync('docs/ABI.md', 'utf8');

/** Every markdown table of the page whose header starts with `first`: its rows as cells (backticks dropped). */
function tables(first: string): string[][] {
  const lines = page.split('\n');
  const rows: string[][] = [];
  const cells = (line: string) => line.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || !/^\|[\s:|-]+\|$/.test(lines[i + 1]!.trim()) || cells(lines[i]!)[0] !== first) continue;
    for (let j = i + 2; j < lines.length && lines[j]!.startsWith('|'); j++) rows.push(cells(lines[j]!).map((c) => c.replace(/^`|`$/g, '')));
  }
  return rows;
}

function once(names: string[], what: string): void {
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  assert.equal(twice, [], `${what} listed more than once`);
}

// The page writes the core's types; Wasm has four.
const WASM_FOR: Record<string, ValueType> = { usize: 'i32', u32: 'i32', i32: 'i32', bool: 'i32', u64: 'i64', i64: 'i64', f64: 'f64' };

function signature(text: string, name: string): { params: ValueType[]; results: ValueType[] } {
  const match = /^\((.*)\) → (\w+)$/.exec(text);
  assert.ok(match, `${name}: signature '${text}' is not '(name: type, …) → type'`);
  const wasmType = (t: string) => {
    assert.ok(t in WASM_FOR, `${name}: unknown type '${t}'`);
    return WASM_FOR[t]!;
  };
  const params = match[1] === '' ? [] : match[1]!.split(', ').map((p) => wasmType(p.split(': ')[1]!));
  return { params, results: match[2] === 'void' ? [] : [wasmType(match[2]!)] };
}

/** The figures of assembly/ (not its conformance program, which is no part of the ABI): each box diagram with the indented comment lines around it (its caption and notes). */
function figures(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const indented = /^\s*\/\/ {3}/;
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
  for (const file of walk('assembly').filter((f) => f.endsWith('.ts') && !f.startsWith(join('assembly', 'conformance'))).sort()) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.trimStart().startsWith('//') || !lines[i]!.includes('┌')) continue;
      let start = i;
      while (start > 0 && indented.test(lines[start - 1]!) && !lines[start - 1]!.includes('└')) start--;
      let end = i;
      while (!lines[end]!.includes('└')) end++;
      while (end + 1 < lines.length && indented.test(lines[end + 1]!) && !lines[end + 1]!.includes('┌')) end++;
      const block = lines.slice(start, end + 1).map((l) => l.trimStart().slice(2).trimEnd());
      const indent = Math.min(...block.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
      out.push({ file, text: block.map((l) => l.slice(indent)).join('\n') });
      i = end;
    }
  }
  return out;
}

const doc = suite('docs/ABI.md describes the module');

doc('its import and export tables are the module\'s, with the memory limits of the binary', () => {
  const importRows = tables('import');
  assertSameSet(keyed(importRows.map(([name, kind]) => ({ name: name!, kind: kind! }))), keyed(imported.map((i) => ({ name: `${i.module}.${i.name}`, kind: i.kind }))), 'the import table');
  for (const memory of wasm.memories) {
    const row = importRows.find(([name]) => name === `${memory.module}.${memory.name}`)!;
    const [, min, max] = /initial ≥ (\d+) page.*maximum ≤ (\d+) pages/.exec(row[2]!) ?? [];
    assert.ok(memory.shared && row[2]!.startsWith('shared'), 'the memory is shared, as the page says');
    assert.equal([Number(min), Number(max)], [memory.minimum, memory.maximum], 'memory limits');
  }
  const others = exported.filter((e) => e.kind !== 'function' && e.kind !== 'global');
  assertSameSet(keyed(tables('export').map(([name, kind]) => ({ name: name!, kind: kind! }))), keyed(others), 'the export table (besides functions and constants)');
});

doc('its constant tables list every exported constant once, with its value', () => {
  const rows = tables('constant');
  once(rows.map(([name]) => name!), 'constants');
  assertSameSet(rows.map(([name]) => name!), Object.keys(globals), 'constants');
  for (const [name, value] of rows) {
    assert.is(Number(value) | 0, globals[name as keyof typeof globals], `${name}: the page says ${value}`);
  }
});

doc('its function tables list every exported function once, with its Wasm type', () => {
  const rows = tables('function');
  once(rows.map(([name]) => name!), 'functions');
  assertSameSet(rows.map(([name]) => name!), [...wasm.functions.keys()], 'functions');
  for (const [name, text] of rows) assert.equal(signature(text!, name!), wasm.functions.get(name!), `${name}: signature`);
});

doc('it holds every box diagram of assembly/, as the source draws it', () => {
  const all = figures();
  assert.ok(all.length >= 20, `found ${all.length} figures in assembly/`);
  for (const figure of all) {
    assert.ok(page.includes('```\n' + figure.text + '\n```'), `docs/ABI.md lacks the figure of ${figure.file} as drawn there (copy it onto the page); it starts:\n${figure.text.split('\n').slice(0, 3).join('\n')}`);
  }
});

doc('the module has no data segments and no start function, as the page says', () => {
  const [start, data, dataCount] = [8, 11, 12];
  assert.equal(wasm.sections.filter((id) => id === start || id === data || id === dataCount), []);
});

// ── docs/examples/read_object.py ────────────────────────────────────────────

const reader = suite('docs/examples/read_object.py reads a segment made by the Node host');
reader.after.each(cleanup);

const Kind = enumOf('Kind', { Temp: 1, Humidity: 2, Wind: 3 }, 'u8');
const Point = struct('Point', { x: 'i16', y: 'i16' });
const Reading = struct('Reading', {
  id: 'u32', kind: Kind, label: string(12), value: 'f64', total: 'i64', last: array('f32', 3), ok: 'bool', at: Point,
});

/** Runs the reader on the POSIX segment `name` for `object`. */
function readObject(name: string, object: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('python3', ['docs/examples/read_object.py', `/dev/shm${name}`, object], { encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw run.error;
  return run;
}

// JSON as the reader prints it: 64-bit integers as strings.
const asPrinted = (value: unknown) => JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v)));

reader('a table: the entry, and every record decoded with the stored layout', () => {
  const name = trackPosix(freshName('abi'));
  const seg = keepOpen(openOrCreate({ kind: 'posix', name, size: 1 << 16 }));
  const table = seg.create('readings', { table: Reading, count: 3 });
  table.set(0, { id: 7, kind: 'Wind', label: 'roof', value: -2.5, total: -(2n ** 62n), last: [1.5, 2.25, -0.125], ok: true, at: { x: -3, y: 4 } });
  table.set(1, { id: 8, kind: 'Temp', label: 'hall ñ', value: 1e300, total: 2n ** 53n + 1n, last: [0.1, 0.2, 0.3], ok: false, at: { x: 32767, y: -32768 } });
  table.set(2, { id: 0xffffffff, kind: 'Humidity', label: 'elevenchars', value: 0, total: 0n, last: [0, 0, 0], ok: true, at: { x: 0, y: 0 } });

  const run = readObject(name, 'readings');
  assert.is(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  const info = seg.list().find((o) => o.name === 'readings')!;
  assert.equal(
    { name: out.name, kind: out.kind, offset: out.offset, size: out.size, align: out.align, count: out.count, layout: out.layout },
    { name: 'readings', kind: 'table', offset: info.offset, size: info.size, align: info.align, count: 3, layout: Reading.describe },
  );
  assert.equal(out.records, asPrinted([0, 1, 2].map((i) => table.get(i))));
});

reader('raw bytes, and a named object that is not there', () => {
  const name = trackPosix(freshName('abi'));
  const seg = keepOpen(openOrCreate({ kind: 'posix', name, size: 1 << 16 }));
  seg.mutex('lock'); // another object before it in the directory
  const blob = seg.create('blob', { bytes: 40, align: 256 });
  blob.forEach((_, i) => (blob[i] = (i * 37) & 0xff));

  const run = readObject(name, 'blob');
  assert.is(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.equal([out.kind, out.size, out.align, out.offset % 256], ['bytes', 40, 256, 0]);
  assert.is(out.hex, Buffer.from(blob).toString('hex'));
  assert.is(JSON.parse(readObject(name, 'lock').stdout).kind, 'mutex');

  const missing = readObject(name, 'nothing-here');
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /no object named 'nothing-here'/);
});

types.run();
doc.run();
reader.run();
