import 'reflect-metadata';
import { describe, expect, it } from 'vitest';

// Canary: the test transform must emit `design:*` metadata exactly as tsc does with
// `emitDecoratorMetadata`. If vitest's transform ever changes (e.g. back to esbuild), this fails.
function Marker(): ClassDecorator & MethodDecorator & PropertyDecorator {
  return () => undefined;
}

class Dependency {}

@Marker()
class Sample {
  @Marker()
  declare field: Dependency;

  constructor(
    readonly name: string,
    readonly dependency: Dependency,
  ) {}

  @Marker()
  method(count: number, flag: boolean): string {
    return `${this.name}${count}${flag}`;
  }

  undecorated(value: string): string {
    return value;
  }
}

describe('decorator metadata emit (canary)', () => {
  it('emits constructor parameter types', () => {
    expect(Reflect.getMetadata('design:paramtypes', Sample)).toEqual([String, Dependency]);
  });

  it('emits method parameter and return types for decorated methods', () => {
    expect(Reflect.getMetadata('design:paramtypes', Sample.prototype, 'method')).toEqual([Number, Boolean]);
    expect(Reflect.getMetadata('design:returntype', Sample.prototype, 'method')).toBe(String);
    expect(Reflect.getMetadata('design:type', Sample.prototype, 'method')).toBe(Function);
  });

  it('emits nothing for undecorated methods, which is why hub arguments never bind by type', () => {
    expect(Reflect.getMetadata('design:paramtypes', Sample.prototype, 'undecorated')).toBeUndefined();
  });

  it('keeps class names, which hub naming relies on', () => {
    expect(Sample.name).toBe('Sample');
  });
});
