// The portable layers import no OS code: following every runtime import
// (type-only ones vanish at compile time) from each file of host/core,
// host/struct, host/format, host/sync, host/wait and host/channel, and from the browser
// entry, never reaches node:*, a Node builtin, koffi or host/linux/. The two
// Node adapters that live among them are the only exceptions.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PORTABLE = ['host/core', 'host/struct', 'host/format', 'host/sync', 'host/wait', 'host/channel', 'host/browser'];
/** Node adapters kept beside the code they adapt: the core read from disk (and where that file is), node:stream over rings. */
const NODE_ADAPTERS = ['host/core/node-module.ts', 'host/core/wasm-location.ts', 'host/core/module-url.ts', 'host/channel/streams.ts'];
const NODE_BUILTINS = new Set(builtinModules);

/** The runtime imports of one file: module specifiers of value imports, re-exports and import() calls. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) {
      const bindings = node.importClause?.namedBindings;
      const onlyTypes = bindings && ts.isNamedImports(bindings) && !node.importClause?.name && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
      if (!onlyTypes) found.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const onlyTypes = clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
      if (!onlyTypes) found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Why `specifier` is OS code, or undefined; a relative one resolves to a file of host/ (its .ts). */
function osBound(specifier: string, resolved: string | undefined): string | undefined {
  const bare = specifier.replace(/^node:/, '');
  if (specifier.startsWith('node:') || NODE_BUILTINS.has(bare) || NODE_BUILTINS.has(bare.split('/')[0]!)) return `Node builtin '${specifier}'`;
  if (bare === 'koffi' || bare.startsWith('koffi/')) return 'koffi';
  if (resolved?.startsWith('host/linux/')) return `Linux code ${resolved}`;
  if (resolved && NODE_ADAPTERS.includes(resolved)) return `the Node adapter ${resolved}`;
  return undefined;
}

function resolveRelative(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return relative(ROOT, resolve(ROOT, dirname(from), specifier)).replace(/\.js$/, '.ts');
}

/** The first chain of runtime imports from `start` to OS code, or undefined. */
function pathToOs(start: string): string[] | undefined {
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]): string[] | undefined => {
    if (seen.has(file)) return undefined;
    seen.add(file);
    for (const specifier of runtimeImports(file)) {
      const resolved = resolveRelative(file, specifier);
      const why = osBound(specifier, resolved);
      if (why) return [...chain, file, why];
      if (resolved) {
        const found = walk(resolved, [...chain, file]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(start, []);
}

function portableFiles(): string[] {
  return PORTABLE.flatMap((folder) => readdirSync(join(ROOT, folder)).filter((name) => name.endsWith('.ts')).map((name) => `${folder}/${name}`))
    .filter((file) => !NODE_ADAPTERS.includes(file));
}

const layers = suite('portable layers');

layers('no file of the portable layers reaches node:*, a Node builtin, koffi or host/linux through its imports', () => {
  const files = portableFiles();
  assert.ok(files.includes('host/format/managed.ts') && files.includes('host/browser/index.ts'), 'the walk sees the layers');
  const offenders = files.map((file) => pathToOs(file)).filter((chain): chain is string[] => chain !== undefined).map((chain) => chain.join(' → '));
  assert.equal(offenders, []);
});

layers('the walk finds OS code where there is some: the Node adapters and the Linux entry', () => {
  assert.match(pathToOs('host/core/node-module.ts')!.join(' → '), /Node builtin 'node:fs'/);
  assert.match(pathToOs('host/channel/streams.ts')!.join(' → '), /Node builtin 'node:stream'/);
  assert.match(pathToOs('host/index.ts')!.join(' → '), /Linux code host\/linux\/|koffi|Node builtin|the Node adapter/);
});

layers.run();
