// `pnpm dev`: runs the local emulator and the chat sample. Replaced once both exist.
import { existsSync } from 'node:fs';

const missing = [
  ['packages/emulator/dist/cli.js', 'the local emulator (@serverless-hub/emulator)'],
  ['samples/chat/package.json', 'the chat sample (samples/chat)'],
].filter(([path]) => !existsSync(new URL(`../${path}`, import.meta.url)));

if (missing.length > 0) {
  console.error(`pnpm dev cannot start the demo yet; missing: ${missing.map(([, what]) => what).join(', ')}.`);
  process.exit(1);
}
