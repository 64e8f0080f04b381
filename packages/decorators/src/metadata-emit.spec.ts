import 'reflect-metadata';
import { readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as viaTestTransform from './__fixtures__/metadata-shapes.js';

// Canary: the test transform must emit `design:*` metadata exactly as tsc does with
// `emitDecoratorMetadata`. The same fixture is compiled here with TypeScript itself and both results
// are compared; if vitest's transform ever changes or stops emitting, this fails.

type FixtureModule = typeof viaTestTransform;

const fixturePath = fileURLToPath(new URL('./__fixtures__/metadata-shapes.ts', import.meta.url));
let viaTsc: FixtureModule;
let workDir: string;

function names(types: unknown): unknown {
  return Array.isArray(types)
    ? types.map((type: { name?: string } | undefined) => type?.name)
    : (types as { name?: string } | undefined)?.name;
}

function describeMetadata(module: FixtureModule): Record<string, unknown> {
  const { Sample } = module;
  const proto = Sample.prototype as object;
  return {
    ctorParams: names(Reflect.getMetadata('design:paramtypes', Sample)),
    methodParams: names(Reflect.getMetadata('design:paramtypes', proto, 'method')),
    methodReturn: names(Reflect.getMetadata('design:returntype', proto, 'method')),
    methodType: names(Reflect.getMetadata('design:type', proto, 'method')),
    nullableText: names(Reflect.getMetadata('design:type', proto, 'nullableText')),
    items: names(Reflect.getMetadata('design:type', proto, 'items')),
    undecoratedParams: names(Reflect.getMetadata('design:paramtypes', proto, 'undecorated')),
  };
}

beforeAll(async () => {
  const source = await readFile(fixturePath, 'utf8');
  const config = ts.readConfigFile(fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url)), (path) =>
    ts.sys.readFile(path),
  );
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, process.cwd());
  const output = ts.transpileModule(source, {
    compilerOptions: {
      ...options,
      module: ts.ModuleKind.ESNext,
      sourceMap: false,
      declaration: false,
      declarationMap: false,
    },
    fileName: fixturePath,
  });
  workDir = await mkdtemp(join(tmpdir(), 'metadata-canary-'));
  const compiled = join(workDir, 'metadata-shapes.mjs');
  await writeFile(compiled, `import 'reflect-metadata';\n${output.outputText}`);
  viaTsc = (await import(/* @vite-ignore */ pathToFileURL(compiled).href)) as FixtureModule;
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('decorator metadata emit (canary)', () => {
  it('matches what tsc emits for the same source', () => {
    expect(describeMetadata(viaTestTransform)).toEqual(describeMetadata(viaTsc));
  });

  it('emits the serializations tsc is known for', () => {
    expect(describeMetadata(viaTestTransform)).toEqual({
      ctorParams: ['String', 'Dependency', 'Object', 'Number'],
      methodParams: ['Number', 'Boolean', 'Date', 'Object', 'Function'],
      methodReturn: 'Promise',
      methodType: 'Function',
      nullableText: 'Object',
      items: 'Array',
      undecoratedParams: undefined,
    });
  });

  it('keeps class names, which hub naming relies on', () => {
    expect(viaTestTransform.Sample.name).toBe('Sample');
  });
});
