// The `serverless-hub-emulator` command: the local service, and optionally a local functions host for an app.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describeError, errorDetail, errorMessage } from '@serverless-hub/core/upstream';
import { parseCliArguments, usage } from './cli/cli-arguments.js';
import type { CliCommand } from './cli/cli-arguments.js';
import { EmulatorError } from './errors/emulator-error.js';
import { createFunctionsHost } from './functions-host/functions-host.js';
import type { FunctionsHost } from './functions-host/functions-host.js';
import { resolveApp } from './functions-host/load-app.js';
import { applyLocalSettings, loadLocalSettings } from './functions-host/local-settings.js';
import { createServiceEmulator, EMULATOR_ACCESS_KEY } from './service/service-emulator.js';
import type { ServiceEmulator } from './service/service-emulator.js';
import { createLogger } from './logging/emulator-logger.js';
import type { EmulatorLogger, LogLevel } from './logging/emulator-logger.js';
import { redactUrl } from './logging/redact-url.js';
import { loadUpstreamSettings } from './upstream/upstream-settings.js';
import type { UpstreamTemplate } from './upstream/upstream-settings.js';

type RunCommand = Extract<CliCommand, { command: 'start' | 'dev' | 'functions' }>;

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function shownConnectionString(emulator: ServiceEmulator, generatedKey: boolean): string {
  // The default key is public (the official emulator's) and a generated one is the app's only way to
  // learn it; a key of the user's own is not printed.
  return generatedKey || emulator.accessKey === EMULATOR_ACCESS_KEY
    ? emulator.connectionString
    : emulator.connectionString.replace(emulator.accessKey, '<your access key>');
}

// The command prints what the servers' own start-up lines say ("listening on", "serving"), in full and
// in order; a logger for the command writes those lines at debug level only, so they do not appear twice.
const STARTUP_LINE = /^(?:listening on |serving \d)/;

function commandLogger(name: string, level: LogLevel): EmulatorLogger {
  const logger = createLogger({ name, level });
  return {
    ...logger,
    info: (line) => {
      if (STARTUP_LINE.test(line)) logger.debug(line);
      else logger.info(line);
    },
  };
}

async function startService(
  options: RunCommand,
  upstream: readonly UpstreamTemplate[],
  index = 0,
): Promise<ServiceEmulator> {
  const port = options.port ?? 8888;
  const emulator = createServiceEmulator({
    // Several endpoints: consecutive ports (each a free one with port 0), each with its own key.
    ...(options.endpoints > 1
      ? { port: port === 0 ? 0 : port + index, accessKey: randomBytes(32).toString('base64url') }
      : options.port === undefined
        ? {}
        : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    upstream,
    logger: commandLogger('emulator', options.logLevel),
  });
  await emulator.start();
  return emulator;
}

function printService(emulator: ServiceEmulator, upstream: readonly UpstreamTemplate[], generatedKey = false): void {
  print('');
  print('Azure SignalR Service emulator (serverless mode) is running.');
  print('');
  print('  Connection string:');
  print(`    ${shownConnectionString(emulator, generatedKey)}`);
  print('');
  print(`  Client endpoint: ${emulator.url}/client/?hub=<hub>`);
  print(`  REST API:        ${emulator.url}/api/hubs/<hub>/...`);
  print('  Upstream:');
  for (const template of upstream) {
    const patterns = [template.hubPattern, template.categoryPattern, template.eventPattern].some(
      (pattern) => pattern !== undefined,
    )
      ? ` (hub: ${template.hubPattern ?? '*'}, category: ${template.categoryPattern ?? '*'}, event: ${template.eventPattern ?? '*'})`
      : '';
    print(`    ${redactUrl(template.urlTemplate)}${patterns}`);
  }
}

function printFunctions(host: FunctionsHost): void {
  print('');
  print(`Functions host is running at ${host.url}:`);
  for (const fn of host.functions()) {
    print(
      fn.path === undefined
        ? `  ${fn.name.padEnd(28)} ${fn.trigger} (not triggered by the local host)`
        : `  ${fn.name.padEnd(28)} [${fn.methods.join(',')}] ${host.url}${fn.path}`,
    );
  }
  const page = host.routes().find((route) => route.name === 'index');
  if (page !== undefined) {
    print('');
    print(`  Open ${host.url}${page.path} in a browser.`);
  }
}

async function run(options: RunCommand): Promise<() => Promise<void>> {
  const closers: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const close of closers.reverse()) await close();
  };
  try {
    const app = options.app === undefined ? undefined : await resolveApp(options.app);
    const settings = app === undefined ? undefined : await loadLocalSettings(app.directory);

    // The functions host listens first (serving nothing yet), so that its port, possibly a free one
    // picked by the system, goes into the service's upstream template before the app is loaded.
    let host: FunctionsHost | undefined;
    if (app !== undefined && settings !== undefined) {
      const cors =
        settings.cors === undefined
          ? undefined
          : {
              allowedOrigins: settings.cors.split(',').map((origin) => origin.trim()),
              supportCredentials: settings.corsCredentials ?? false,
            };
      host = createFunctionsHost({
        port: options.functionsPort ?? settings.localHttpPort ?? 7071,
        routePrefix: app.routePrefix,
        logger: commandLogger('functions', options.logLevel),
        ...(cors === undefined ? {} : { cors }),
        ...(options.host === undefined ? {} : { host: options.host }),
      });
      await host.start();
      const started = host;
      closers.push(() => started.close());
    }

    let emulator: ServiceEmulator | undefined;
    const emulators: ServiceEmulator[] = [];
    if (options.command !== 'functions') {
      const prefix =
        app === undefined ? '/api' : app.routePrefix === '' ? '' : `/${app.routePrefix.replace(/^\/+|\/+$/g, '')}`;
      const functionsPort = host?.port ?? options.functionsPort ?? 7071;
      const upstream: UpstreamTemplate[] =
        options.config !== undefined
          ? await loadUpstreamSettings(options.config)
          : [{ urlTemplate: `http://127.0.0.1:${functionsPort}${prefix}/{hub}/{category}/{event}` }];
      for (let index = 0; index < options.endpoints; index++) {
        const started = await startService(options, upstream, index);
        closers.push(() => started.close());
        emulators.push(started);
        if (options.endpoints > 1)
          print(`\nEndpoint e${String(index + 1)} (Azure__SignalR__Endpoints__e${String(index + 1)}):`);
        printService(started, upstream, options.endpoints > 1);
      }
      emulator = emulators[0];
    }

    if (app !== undefined && settings !== undefined && host !== undefined) {
      if (emulators.length > 1) {
        // The app reaches every instance through the named endpoint settings only: an empty connection
        // setting (which local.settings.json does not override) reads as unset.
        for (const name of options.connectionSettings) process.env[name] = '';
        emulators.forEach((started, index) => {
          process.env[`Azure__SignalR__Endpoints__e${String(index + 1)}`] = started.connectionString;
        });
      } else if (emulator !== undefined) {
        for (const name of options.connectionSettings) process.env[name] = emulator.connectionString;
      }
      applyLocalSettings(settings);
      await host.loadApp(app);
      print(
        settings.source === undefined
          ? '\nNo local.settings.json: the app runs with the environment as it is.'
          : `\nApp settings from ${settings.source}.`,
      );
      printFunctions(host);
    }
    print('\nPress Ctrl+C to stop.\n');
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}

async function main(argv: readonly string[]): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCliArguments(argv);
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n\n${usage}\n`);
    return 2;
  }
  if (command.command === 'help') {
    print(usage);
    return 0;
  }
  if (command.command === 'version') {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    print(manifest.version);
    return 0;
  }
  let stop: () => Promise<void>;
  try {
    stop = await run(command);
  } catch (error) {
    process.stderr.write(`${EmulatorError.is(error) ? error.message : errorDetail(error)}\n`);
    return 1;
  }
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (): void => {
      if (stopping) {
        // A second Ctrl+C does not wait for the clean stop.
        resolve(130);
        return;
      }
      stopping = true;
      print('\nStopping...');
      stop().then(
        () => {
          resolve(0);
        },
        (error: unknown) => {
          process.stderr.write(`Stopping failed: ${describeError(error)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${describeError(error)}\n`);
    process.exit(1);
  },
);
