import { significant } from './statistics.js';

/** What a figure must reach. `ratio` is always value / baseline, so a time goal is an upper bound and a throughput goal a lower one. */
export type Goal =
  | { readonly kind: 'ratio-at-most'; readonly limit: number }
  | { readonly kind: 'ratio-at-least'; readonly limit: number }
  | { readonly kind: 'value-at-least'; readonly limit: number }
  | { readonly kind: 'value-at-most'; readonly limit: number }
  | { readonly kind: 'reported' };

/** One row of the table and of `bench/results/latest.json`. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The hand-written baseline measured in the same run, in the same unit; `null` when the figure has none. */
  readonly baseline: number | null;
  /** value / baseline (for paired rounds: the median of the per-round ratios); `null` without a baseline. */
  readonly ratio: number | null;
  /** The goal in words, e.g. `ratio ≤ 1.3`. */
  readonly goal: string;
  /** Whether the goal is met; `null` for figures that are only reported. */
  readonly met: boolean | null;
  /** How it was measured (rounds, samples, secondary figures). */
  readonly details: Readonly<Record<string, number | string>>;
}

export interface FigureInput {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: number;
  /** Defaults to value / baseline. */
  readonly ratio?: number;
  readonly goal: Goal;
  readonly details?: Readonly<Record<string, number | string>>;
}

export function describeGoal(goal: Goal, unit: string): string {
  switch (goal.kind) {
    case 'ratio-at-most':
      return `ratio ≤ ${goal.limit}`;
    case 'ratio-at-least':
      return `ratio ≥ ${goal.limit}`;
    case 'value-at-least':
      return `≥ ${goal.limit} ${unit}`;
    case 'value-at-most':
      return `≤ ${goal.limit} ${unit}`;
    case 'reported':
      return 'reported';
  }
}

function isMet(goal: Goal, value: number, ratio: number | null): boolean | null {
  switch (goal.kind) {
    case 'ratio-at-most':
      return ratio !== null && ratio <= goal.limit;
    case 'ratio-at-least':
      return ratio !== null && ratio >= goal.limit;
    case 'value-at-least':
      return value >= goal.limit;
    case 'value-at-most':
      return value <= goal.limit;
    case 'reported':
      return null;
  }
}

/** Builds a result row, rounding to four significant digits and judging the goal on the unrounded figures. */
export function figure(input: FigureInput): BenchResult {
  const baseline = input.baseline ?? null;
  const ratio = input.ratio ?? (baseline === null ? null : input.value / baseline);
  const details: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(input.details ?? {}))
    details[key] = typeof value === 'number' ? significant(value) : value;
  return {
    name: input.name,
    value: significant(input.value),
    unit: input.unit,
    baseline: baseline === null ? null : significant(baseline),
    ratio: ratio === null ? null : significant(ratio, 3),
    goal: describeGoal(input.goal, input.unit),
    met: isMet(input.goal, input.value, ratio),
    details,
  };
}
