// Child process: the chat sample on the local functions host, as `pnpm dev` serves it (argv[2] = the app's
// entry file). The connection string of the emulator, started after this host, arrives with `configure`
// before any request.
import { pathToFileURL } from 'node:url';
import { applyLocalSettings, createFunctionsHost, loadLocalSettings } from '@serverless-hub/emulator';
import { cpuUs, serveParent } from '../harness/child.js';
import { SAMPLE_DIR } from '../harness/sample-app.js';

const entry = process.argv[2];
if (entry === undefined) throw new Error('app-host: the app entry is missing');

// The sample's development settings (local.settings.json, else its example), as Core Tools applies them.
applyLocalSettings(await loadLocalSettings(SAMPLE_DIR));
// The host first: it provides @azure/functions-core, through which the app's registrations reach it.
const host = createFunctionsHost({ port: 0, logLevel: 'warn' });
await import(pathToFileURL(entry).href);
await host.start();
serveParent(
  { port: host.port },
  (message) => {
    if (message.type === 'cpu') return { cpuUs: cpuUs() };
    if (message.type !== 'configure') throw new Error(`unknown request ${message.type}`);
    process.env['AzureSignalRConnectionString'] = String(message['connectionString']);
    return {};
  },
  () => host.close(),
);
