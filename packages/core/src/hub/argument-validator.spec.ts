import type { StandardSchemaV1 } from '@standard-schema/spec';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { compileArgumentValidator } from './argument-validator.js';
import type { ValidatedMethod } from './argument-validator.js';

const SEND: ValidatedMethod = { event: 'send', argumentNames: ['to', 'text'], restFrom: undefined };

function failure(run: () => unknown): ServerlessHubError {
  try {
    run();
  } catch (error) {
    if (error instanceof ServerlessHubError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

/** A schema written against the interface alone, as any conforming library would: async, trims strings. */
function asyncTrimmed(): StandardSchemaV1<string, string> {
  return {
    '~standard': {
      version: 1,
      vendor: 'hand-written',
      validate: (value) =>
        Promise.resolve(
          typeof value === 'string' ? { value: value.trim() } : { issues: [{ message: 'Expected a string' }] },
        ),
    },
  };
}

describe('compileArgumentValidator', () => {
  it('runs one zod schema per parameter and hands on their outputs', () => {
    const validate = compileArgumentValidator(SEND, undefined, [
      { argumentIndex: 0, rest: false, schema: z.string().min(1) },
      { argumentIndex: 1, rest: false, schema: z.coerce.number().int() },
    ]);
    expect(validate(['alice', '42'])).toEqual(['alice', 42]);
  });

  it('names the parameter, its position and what is wrong', () => {
    const validate = compileArgumentValidator(SEND, undefined, [
      { argumentIndex: 1, rest: false, schema: z.string().max(3) },
    ]);
    const error = failure(() => validate(['alice', 'too long']));
    expect(error.code).toBe('HUB_ARGUMENTS_INVALID');
    expect(error.message).toMatch(/^Invalid arguments for 'send': parameter 'text' \(argument 2\): .*3/);
  });

  it('falls back to the position when the name is unknown, and shows the path inside an object', () => {
    const validate = compileArgumentValidator(
      { event: 'post', argumentNames: [undefined], restFrom: undefined },
      undefined,
      [{ argumentIndex: 0, rest: false, schema: z.object({ body: z.object({ title: z.string() }) }) }],
    );
    expect(failure(() => validate([{ body: { title: 7 } }])).message).toMatch(
      /^Invalid arguments for 'post': argument 1 at \.body\.title: /,
    );
  });

  it('gives an omitted optional argument its default, and leaves it omitted without one', () => {
    const withDefault = compileArgumentValidator(SEND, undefined, [
      { argumentIndex: 1, rest: false, schema: v.optional(v.string(), 'hi') },
    ]);
    expect(withDefault(['alice'])).toEqual(['alice', 'hi']);
    const withoutDefault = compileArgumentValidator(SEND, undefined, [
      { argumentIndex: 1, rest: false, schema: v.optional(v.string()) },
    ]);
    expect(withoutDefault(['alice'])).toEqual(['alice']);
  });

  it('validates the whole list with a valibot tuple, naming the parameter from the issue path', () => {
    const validate = compileArgumentValidator(
      SEND,
      v.tuple([
        v.string(),
        v.pipe(
          v.string(),
          v.transform((text) => text.toUpperCase()),
        ),
      ]),
      [],
    );
    expect(validate(['a', 'b'])).toEqual(['a', 'B']);
    expect(failure(() => validate(['a', 5])).message).toMatch(
      /^Invalid arguments for 'send': parameter 'text' \(argument 2\): /,
    );
    expect(failure(() => validate(['a'])).message).toMatch(/^Invalid arguments for 'send': /);
  });

  it('validates a rest parameter as the array of the remaining arguments', () => {
    const method: ValidatedMethod = { event: 'sum', argumentNames: ['label', 'values'], restFrom: 1 };
    const validate = compileArgumentValidator(method, undefined, [
      { argumentIndex: 1, rest: true, schema: z.array(z.coerce.number()) },
    ]);
    expect(validate(['total', '1', 2])).toEqual(['total', 1, 2]);
    const bad = compileArgumentValidator(method, undefined, [
      { argumentIndex: 1, rest: true, schema: z.array(z.number()) },
    ]);
    expect(failure(() => bad(['total', 1, 'x'])).message).toMatch(/rest parameter 'values' \(argument 3\)/);
  });

  it('awaits asynchronous schemas and keeps synchronous ones free of promises', async () => {
    const validate = compileArgumentValidator(SEND, undefined, [
      { argumentIndex: 0, rest: false, schema: asyncTrimmed() },
      { argumentIndex: 1, rest: false, schema: z.string() },
    ]);
    const pending = validate(['  alice ', 'x']);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toEqual(['alice', 'x']);
    await expect(validate([1, 'x'])).rejects.toMatchObject({
      code: 'HUB_ARGUMENTS_INVALID',
      message: "Invalid arguments for 'send': parameter 'to' (argument 1): Expected a string.",
    });
    const synchronous = compileArgumentValidator(SEND, undefined, [
      { argumentIndex: 0, rest: false, schema: z.string() },
    ]);
    expect(synchronous(['a'])).toEqual(['a']);
  });

  it('keeps messages short: at most three issues, each cut', () => {
    const long = 'x'.repeat(10_000);
    const schema: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: () => ({
          issues: Array.from({ length: 5 }, (_, index) => ({ message: `${String(index)}${long}`, path: [index] })),
        }),
      },
    };
    const error = failure(() =>
      compileArgumentValidator(
        { event: 'e', argumentNames: ['a', 'b', 'c', 'd', 'e'], restFrom: undefined },
        schema,
        [],
      )([]),
    );
    expect(error.message.length).toBeLessThan(1000);
    expect(error.message).toMatch(/\(and 2 more\)\.$/);
    expect(error.message).toContain("parameter 'c' (argument 3)");
  });

  it('reports a method schema whose output is not a list as a defect of the app, not of the client', () => {
    const validate = compileArgumentValidator(
      SEND,
      z.array(z.unknown()).transform((list) => list.length),
      [],
    );
    expect(failure(() => validate([{}])).code).toBe('HUB_DEFINITION_INVALID');
  });
});
