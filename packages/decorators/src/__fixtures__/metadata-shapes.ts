// Fixture for the metadata canary: types whose `design:*` serialization differs between emitters.
// It must stay self-contained (no imports) so that `ts.transpileModule` can compile it on its own.

export function Marker(): ClassDecorator & MethodDecorator & PropertyDecorator & ParameterDecorator {
  return () => undefined;
}

export class Dependency {}

export enum Level {
  Low,
  High,
}

export interface Shape {
  readonly name: string;
}

@Marker()
export class Sample {
  @Marker()
  nullableText: string | null = null;

  @Marker()
  items: string[] = [];

  constructor(
    readonly name: string,
    readonly dependency: Dependency,
    readonly shape: Shape,
    @Marker() readonly level: Level,
  ) {}

  @Marker()
  method(count: number, flag: boolean, when: Date, mixed: string | number, fn: () => void): Promise<string> {
    return Promise.resolve(`${count}${flag}${when.getTime()}${mixed}${typeof fn}`);
  }

  undecorated(value: string): string {
    return value;
  }
}
