import type { BenchResult } from './bench-result.js';

/**
 * `full`: the official figures (`pnpm bench`, within 10 minutes); `quick`: fewer rounds and samples
 * (`pnpm bench --quick`, within 2 minutes); `tiny`: a few operations of each, to check that every
 * benchmark still runs (the smoke test), with meaningless figures.
 */
export type Scale = 'full' | 'quick' | 'tiny';

export interface BenchContext {
  readonly scale: Scale;
  /** Workspace packages are run from their TypeScript sources instead of their build. */
  readonly source: boolean;
  /** Progress lines, on stderr so that the table stays clean on stdout. */
  progress(message: string): void;
}

export interface Benchmark {
  /** The figures it produces, in table order. */
  readonly figures: readonly string[];
  run(context: BenchContext): Promise<BenchResult[]>;
}

/** Picks the setting of the current scale. */
export function byScale<TSettings extends Readonly<Record<Scale, unknown>>>(
  context: BenchContext,
  settings: TSettings,
): TSettings[Scale] {
  return settings[context.scale];
}
