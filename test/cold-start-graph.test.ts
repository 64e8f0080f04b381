// What importing @serverless-hub/core and registering hubs loads. The main entry's static imports must
// never reach the request-time code: registerHubs loads that with import() (functions/hub-function-handlers),
// and an app's bundler splits it into a file of its own only if no static import reaches it, since bundlers
// split by file. Read from the sources with the TypeScript parser: `import type` and type-only specifiers
// load nothing and are left out.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SOURCE = fileURLToPath(new URL('../packages/core/src/', import.meta.url));

interface ModuleImports {
  readonly static: readonly string[];
  readonly dynamic: readonly string[];
  /** Packages and built-in modules imported statically (not type-only). */
  readonly external: readonly string[];
}

function importsOf(file: string): ModuleImports {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = { static: [] as string[], dynamic: [] as string[], external: [] as string[] };
  const local = (specifier: string): string | undefined =>
    specifier.startsWith('.') ? resolve(dirname(file), specifier.replace(/\.js$/, '.ts')) : undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.phaseModifier === ts.SyntaxKind.TypeKeyword ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      const target = local(node.moduleSpecifier.text);
      if (!typeOnly && target !== undefined) found.static.push(target);
      else if (!typeOnly) found.external.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      const typeOnly =
        node.isTypeOnly ||
        (node.exportClause !== undefined &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.every((element) => element.isTypeOnly));
      const target = ts.isStringLiteral(node.moduleSpecifier) ? local(node.moduleSpecifier.text) : undefined;
      if (!typeOnly && target !== undefined) found.static.push(target);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      const target = local(node.arguments[0].text);
      if (target !== undefined) found.dynamic.push(target);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every module the entry loads before any `import()` runs, as paths relative to core's src/. */
function staticGraph(entry: string): { modules: Set<string>; dynamicTargets: Set<string>; external: Set<string> } {
  const modules = new Set<string>();
  const dynamicTargets = new Set<string>();
  const external = new Set<string>();
  const queue = [resolve(SOURCE, entry)];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const name = relative(SOURCE, file);
    if (modules.has(name)) continue;
    modules.add(name);
    const { static: imports, dynamic, external: packages } = importsOf(file);
    queue.push(...imports);
    for (const specifier of packages) external.add(specifier);
    for (const target of dynamic) dynamicTargets.add(relative(SOURCE, target));
  }
  return { modules, dynamicTargets, external };
}

// The request-time code: what a request needs and registration does not.
const REQUEST_TIME = [
  'functions/hub-function-handlers.ts',
  'upstream/upstream-dispatcher.ts',
  'upstream/adapters/azure-functions-adapter.ts',
  'upstream/upstream-authenticator.ts',
  'protocol/json-hub-protocol.ts',
  'protocol/message-pack-hub-protocol.ts',
  'negotiate/negotiate.ts',
  'negotiate/connection-info.ts',
  'token/sign-access-token.ts',
  'service/service-hub-client.ts',
  'endpoints/fan-out-services.ts',
  'hub/hub-runtime.ts',
];

describe('what a cold start loads', () => {
  const main = staticGraph('index.ts');

  it('the main entry reaches registration and the hub model, and none of the request-time code', () => {
    expect(main.modules).toContain('functions/register-hubs.ts');
    expect(main.modules).toContain('hub/compile-hub.ts');
    expect(main.modules).toContain('hub/serverless-hub.ts');
    expect(REQUEST_TIME.filter((module) => main.modules.has(module))).toEqual([]);
  });

  it('the main entry imports no built-in module that the Functions worker has not loaded before the app', () => {
    // node:https brings node:tls: several milliseconds of a cold start, for the first https request only.
    // The Node.js worker and @azure/functions have loaded node:http, node:crypto and node:module already.
    expect([...main.external].filter((specifier) => ['node:https', 'node:tls', 'node:os'].includes(specifier))).toEqual(
      [],
    );
  });

  it('registration loads the request-time code with import(), and that code reaches what requests use', () => {
    expect(main.dynamicTargets).toContain('functions/hub-function-handlers.ts');
    const handlers = staticGraph('functions/hub-function-handlers.ts');
    expect(REQUEST_TIME.filter((module) => !handlers.modules.has(module))).toEqual([]);
  });

  it('the ./service entry holds what the main entry left out', () => {
    const service = staticGraph('service/index.ts');
    for (const module of ['service/service-hub-client.ts', 'negotiate/negotiate.ts', 'negotiate/connection-info.ts'])
      expect(service.modules).toContain(module);
  });
});
