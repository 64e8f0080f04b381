import { EmulatorError } from '../errors/emulator-error.js';
import { isLogLevel } from '../logging/emulator-logger.js';
import type { LogLevel } from '../logging/emulator-logger.js';

/** A parsed command line. */
export type CliCommand =
  | { readonly command: 'help' }
  | { readonly command: 'version' }
  | {
      readonly command: 'start' | 'dev' | 'functions';
      /** The app (entry file or directory) for `dev` and `functions`. */
      readonly app: string | undefined;
      readonly port: number | undefined;
      readonly host: string | undefined;
      readonly functionsPort: number | undefined;
      readonly config: string | undefined;
      readonly logLevel: LogLevel;
      /** App settings that receive the emulator's connection string (`dev`). */
      readonly connectionSettings: readonly string[];
      /** How many service instances (endpoints) to run, on consecutive ports from `port`; 1 by default. */
      readonly endpoints: number;
    };

export const usage = `Usage:
  serverless-hub-emulator start [--port 8888] [--endpoints 1] [--host 127.0.0.1] [--config settings.json] [--log-level info]
      Runs the local Azure SignalR Service (serverless mode).
  serverless-hub-emulator dev <app> [--port 8888] [--endpoints 1] [--functions-port 7071] [--config settings.json]
                                    [--connection-setting AzureSignalRConnectionString] [--log-level info]
      Runs the service and the app's functions on a local functions host, the app configured with the
      service's connection string. <app> is the app's folder (its package.json "main" is loaded) or its
      entry file (.js, or .ts when the app has tsx installed).
  serverless-hub-emulator functions <app> [--functions-port 7071] [--log-level info]
      Runs only the local functions host for the app, with its local.settings.json.

Options:
  -p, --port <n>                 service port (default 8888; 0 picks a free one)
      --endpoints <n>            run n service instances (1 to 16) on consecutive ports from --port, each
                                 with its own key; dev gives the app Azure__SignalR__Endpoints__e1 ... en
                                 instead of the connection setting
      --host <address>           address to listen on (default 127.0.0.1; localhost is served too)
  -c, --config <file>            upstream settings in the official emulator's settings.json shape
      --functions-port <n>       functions host port (default: local.settings.json Host.LocalHttpPort, else 7071)
      --connection-setting <s>   app setting set to the service's connection string (repeatable;
                                 default AzureSignalRConnectionString)
      --log-level <level>        silent, error, warn, info (default) or debug
  -h, --help                     this text
  -v, --version                  the version`;

function portValue(name: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new EmulatorError('CONFIG_INVALID', `${name} must be a port number from 0 to 65535, got '${value}'.`);
  return port;
}

/**
 * Parses the emulator's command line (without `node` and the script).
 *
 * @throws {EmulatorError} `CONFIG_INVALID` naming the argument that is wrong.
 */
export function parseCliArguments(argv: readonly string[]): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help')
    return { command: 'help' };
  if (command === '-v' || command === '--version') return { command: 'version' };
  if (command !== 'start' && command !== 'dev' && command !== 'functions') {
    throw new EmulatorError(
      'CONFIG_INVALID',
      `Unknown command '${command}': use start, dev or functions (see --help).`,
    );
  }
  let app: string | undefined;
  let port: number | undefined;
  let host: string | undefined;
  let functionsPort: number | undefined;
  let config: string | undefined;
  let logLevel: LogLevel = 'info';
  const connectionSettings: string[] = [];
  let endpoints = 1;
  for (let index = 0; index < rest.length; index++) {
    const argument = rest[index] as string;
    const equals = argument.startsWith('--') ? argument.indexOf('=') : -1;
    const name = equals === -1 ? argument : argument.slice(0, equals);
    const value = (): string => {
      if (equals !== -1) return argument.slice(equals + 1);
      const next = rest[++index];
      if (next === undefined) throw new EmulatorError('CONFIG_INVALID', `${name} needs a value.`);
      return next;
    };
    switch (name) {
      case '-h':
      case '--help':
        return { command: 'help' };
      case '-p':
      case '--port':
        port = portValue(name, value());
        break;
      case '--host':
        host = value();
        break;
      case '--endpoints': {
        const text = value();
        endpoints = Number(text);
        if (!/^\d+$/.test(text) || endpoints < 1 || endpoints > 16)
          throw new EmulatorError('CONFIG_INVALID', `--endpoints must be a number from 1 to 16, got '${text}'.`);
        break;
      }
      case '--functions-port':
        functionsPort = portValue(name, value());
        break;
      case '-c':
      case '--config':
        config = value();
        break;
      case '--connection-setting':
        connectionSettings.push(value());
        break;
      case '--log-level': {
        const level = value();
        if (!isLogLevel(level))
          throw new EmulatorError(
            'CONFIG_INVALID',
            `--log-level must be silent, error, warn, info or debug, got '${level}'.`,
          );
        logLevel = level;
        break;
      }
      default:
        if (argument.startsWith('-'))
          throw new EmulatorError('CONFIG_INVALID', `Unknown option '${name}' (see --help).`);
        if (command === 'start' || app !== undefined)
          throw new EmulatorError('CONFIG_INVALID', `Unexpected argument '${argument}' (see --help).`);
        app = argument;
    }
  }
  if (command !== 'start' && app === undefined)
    throw new EmulatorError('CONFIG_INVALID', `'${command}' needs the app: its folder or entry file (see --help).`);
  return {
    command,
    app,
    port,
    host,
    functionsPort,
    config,
    logLevel,
    connectionSettings: connectionSettings.length === 0 ? ['AzureSignalRConnectionString'] : connectionSettings,
    endpoints,
  };
}
