import { describe, expect, it } from 'vitest';
import { readParameterList } from './parameter-list.js';

type AnyFunction = (...args: never[]) => unknown;

function shape(fn: AnyFunction): string[] | undefined {
  return readParameterList(fn)?.map((p) => `${p.rest ? '...' : ''}${p.name ?? '<pattern>'}${p.hasDefault ? '=' : ''}`);
}

describe('readParameterList', () => {
  it('reads methods of every form', () => {
    /* eslint-disable @typescript-eslint/no-unused-vars */
    class Sample {
      plain(a: string, b: number): void {}
      async asyncOne(a: string): Promise<void> {}
      *generator(a: string): Generator<string> {}
      async *asyncGenerator(a: string, b: string): AsyncGenerator<string> {}
      'quoted-name'(a: string): void {}
      ['comp' + 'uted(,'](a: string, b: string): void {}
      none(): void {}
      trailing(a: string, b: string): void {}
    }
    /* eslint-enable @typescript-eslint/no-unused-vars */
    const proto = Sample.prototype as unknown as Record<string, AnyFunction>;
    expect(shape(proto.plain!)).toEqual(['a', 'b']);
    expect(shape(proto.asyncOne!)).toEqual(['a']);
    expect(shape(proto.generator!)).toEqual(['a']);
    expect(shape(proto.asyncGenerator!)).toEqual(['a', 'b']);
    expect(shape(proto['quoted-name']!)).toEqual(['a']);
    expect(shape(proto['computed(,']!)).toEqual(['a', 'b']);
    expect(shape(proto.none!)).toEqual([]);
    expect(shape(proto.trailing!)).toEqual(['a', 'b']);
  });

  it('reads defaults, destructuring and rest parameters', () => {
    expect(shape((a: number, b = 2, ...rest: number[]) => [a, b, rest])).toEqual(['a', 'b=', '...rest']);
    expect(shape(({ x, y }: { x: number; y: number }, [z]: number[]) => x + y + (z ?? 0))).toEqual([
      '<pattern>',
      '<pattern>',
    ]);
    expect(shape(({ x }: { x?: number } = {}) => x)).toEqual(['<pattern>=']);
    expect(
      shape(function named(this: unknown, first: string) {
        return first;
      }),
    ).toEqual(['first']);
  });

  it('is not fooled by commas and brackets inside default values', () => {
    expect(
      shape(
        (
          a = 'x,)',
          b = `t${[1, 2].join('(,')}`,
          c = [1, 2],
          d = { e: (Math.abs(1), 2) },
          f = /[,)]/u,
          g = (Math.abs(1), 2) / 2,
        ) => [a, b, c, d, f, g],
      ),
    ).toEqual(['a=', 'b=', 'c=', 'd=', 'f=', 'g=']);
    expect(shape((a = 1 /* ) , */, b = 2) => a + b)).toEqual(['a=', 'b=']);
  });

  it('reads arrow functions without parentheses', () => {
    const identity = (value: unknown): unknown => value;
    expect(shape(identity)).toEqual(['value']);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    expect(shape(new Function('return async x => x')() as AnyFunction)).toEqual(['x']);
  });

  it('gives up on native and bound functions', () => {
    expect(readParameterList(Math.max as AnyFunction)).toBeUndefined();
    expect(readParameterList(((a: number) => a).bind(null) as AnyFunction)).toBeUndefined();
  });

  it('gives up when its reading disagrees with fn.length', () => {
    const fake = Object.defineProperty((a: number, b: number) => a + b, 'length', { value: 1 });
    expect(readParameterList(fake)).toBeUndefined();
  });
});
