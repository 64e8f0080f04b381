import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The chat sample's folder (host.json, package.json, local settings). */
export const SAMPLE_DIR = fileURLToPath(new URL('../../../samples/chat/', import.meta.url));

/**
 * The sample's entry as Azure Functions loads it: its package.json `main` (the build), or with
 * `source` its TypeScript entry.
 */
export function sampleEntry(source: boolean): string {
  if (source) return resolve(SAMPLE_DIR, 'src/index.ts');
  const manifest = JSON.parse(readFileSync(resolve(SAMPLE_DIR, 'package.json'), 'utf8')) as { main?: string };
  if (manifest.main === undefined) throw new Error('samples/chat/package.json has no main.');
  return resolve(SAMPLE_DIR, manifest.main);
}
