// Child process: the service emulator of `e2e-echo`, calling the app's functions host (argv[2] = its
// upstream URL template), as `pnpm dev` runs it but in a process of its own.
import { createServiceEmulator } from '@serverless-hub/emulator';
import { cpuUs, serveParent } from '../harness/child.js';

const urlTemplate = process.argv[2];
if (urlTemplate === undefined) throw new Error('emulator-process: the upstream URL template is missing');

const emulator = createServiceEmulator({ port: 0, logLevel: 'warn', upstream: [{ urlTemplate }] });
await emulator.start();
serveParent(
  { port: emulator.port, connectionString: emulator.connectionString },
  (message) => {
    if (message.type === 'connections') return { connections: emulator.connectionCounts() };
    if (message.type === 'cpu') return { cpuUs: cpuUs() };
    throw new Error(`unknown request ${message.type}`);
  },
  () => emulator.close(),
);
