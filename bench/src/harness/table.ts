import type { BenchResult } from './bench-result.js';

function formatNumber(value: number | null): string {
  if (value === null) return '—';
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function verdict(met: boolean | null): string {
  if (met === null) return '';
  return met ? 'met' : 'MISSED';
}

/** The results as an aligned text table. */
export function formatTable(results: readonly BenchResult[]): string {
  const header = ['name', 'value', 'unit', 'baseline', 'ratio', 'goal', ''];
  const rows = results.map((result) => [
    result.name,
    formatNumber(result.value),
    result.unit,
    formatNumber(result.baseline),
    result.ratio === null ? '—' : result.ratio.toFixed(2),
    result.goal,
    verdict(result.met),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const numeric = new Set([1, 3, 4]);
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
