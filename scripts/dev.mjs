// `pnpm dev`: the demo. Runs the local Azure SignalR Service emulator and the chat sample on the local
// functions host, the sample configured with the emulator's connection string; prints the page's URL;
// Ctrl+C stops both. Extra arguments go to the emulator's `dev` command, e.g. `pnpm dev --port 9999`.
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sample = 'samples/chat';
const cli = 'packages/emulator/bin/serverless-hub-emulator.js';

// What the demo runs, and the output that proves each is built.
const builds = [
  { dir: 'packages/decorators', output: 'dist/index.js' },
  { dir: 'packages/core', output: 'dist/index.js' },
  { dir: 'packages/emulator', output: 'dist/cli.js' },
  { dir: sample, output: 'dist/index.js' },
];

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale({ dir, output }) {
  const built = `${root}${dir}/${output}`;
  return !existsSync(built) || statSync(built).mtimeMs < newestSource(`${root}${dir}/src`);
}

if (!existsSync(`${root}node_modules`) || !existsSync(`${root}${sample}/node_modules`)) {
  console.error('pnpm dev: dependencies are not installed. Run `bash scripts/setup.sh` first.');
  process.exit(1);
}

if (builds.some(isStale)) {
  console.log('pnpm dev: building the packages and the sample (pnpm build)...');
  const build = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) {
    console.error('pnpm dev: the build failed; fix the errors above and run `pnpm dev` again.');
    process.exit(build.status ?? 1);
  }
}

// The page's admin messages need a bearer token with admin = true. With the sample's public development
// secret (local.settings.example.json), print one; a secret of the user's own is never used here.
function settingsValue(file, name) {
  try {
    return JSON.parse(readFileSync(`${root}${sample}/${file}`, 'utf8')).Values?.[name];
  } catch {
    return undefined;
  }
}

const developmentSecret = settingsValue('local.settings.example.json', 'CHAT_AUTH_SECRET');
const secret =
  process.env.CHAT_AUTH_SECRET ?? settingsValue('local.settings.json', 'CHAT_AUTH_SECRET') ?? developmentSecret;
if (typeof developmentSecret === 'string' && secret === developmentSecret) {
  const now = Math.floor(Date.now() / 1000);
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: 'admin', admin: true, iat: now, exp: now + 12 * 3600 })}`;
  const token = `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
  console.log(
    `\nDemo admin token (valid 12 h; paste it under Options on the page to send admin messages):\n  ${token}`,
  );
}

// Its own process group: Ctrl+C reaches this script only, which passes it on once, so the emulator
// stops cleanly instead of taking a second Ctrl+C as "stop now".
const child = spawn(process.execPath, [cli, 'dev', sample, ...process.argv.slice(2)], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true,
});

// One Ctrl+C arrives here twice under `pnpm dev`: from the terminal, and passed on by pnpm. Passed on
// twice, the emulator would take the second as "stop now" and exit 130, which pnpm reports as
// `ELIFECYCLE Command failed`. So a signal within a second of the last one is the same Ctrl+C; a later one
// is the user insisting, and is passed on.
const SAME_SIGNAL_MS = 1000;
let lastSignalAt = -Infinity;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    const now = performance.now();
    if (now - lastSignalAt < SAME_SIGNAL_MS) return;
    lastSignalAt = now;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
  });
}
// Never leave the emulator running behind this script.
process.on('exit', () => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});

child.on('error', (error) => {
  console.error(`pnpm dev: could not start the emulator: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal === null ? 1 : 128 + (signal === 'SIGINT' ? 2 : 15)));
});
