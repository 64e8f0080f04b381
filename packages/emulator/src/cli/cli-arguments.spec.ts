import { describe, expect, it } from 'vitest';
import { parseCliArguments } from './cli-arguments.js';

describe('parseCliArguments', () => {
  it('reads start with its options, long, short and with =', () => {
    expect(
      parseCliArguments(['start', '-p', '9999', '--config=settings.json', '--log-level', 'debug', '--host', '0.0.0.0']),
    ).toEqual({
      command: 'start',
      app: undefined,
      port: 9999,
      host: '0.0.0.0',
      functionsPort: undefined,
      config: 'settings.json',
      logLevel: 'debug',
      connectionSettings: ['AzureSignalRConnectionString'],
      endpoints: 1,
    });
  });

  it('reads --endpoints for start and dev', () => {
    expect(parseCliArguments(['start', '--endpoints', '2', '--port', '9000'])).toMatchObject({
      command: 'start',
      endpoints: 2,
      port: 9000,
    });
    expect(parseCliArguments(['dev', 'samples/chat', '--endpoints=3'])).toMatchObject({ command: 'dev', endpoints: 3 });
  });

  it('reads dev with the app and repeated connection settings', () => {
    const parsed = parseCliArguments([
      'dev',
      'samples/chat',
      '--functions-port',
      '0',
      '--connection-setting',
      'A',
      '--connection-setting=B',
    ]);
    expect(parsed).toMatchObject({
      command: 'dev',
      app: 'samples/chat',
      functionsPort: 0,
      connectionSettings: ['A', 'B'],
      logLevel: 'info',
    });
  });

  it('gives help and version', () => {
    expect(parseCliArguments([])).toEqual({ command: 'help' });
    expect(parseCliArguments(['--help'])).toEqual({ command: 'help' });
    expect(parseCliArguments(['start', '-h'])).toEqual({ command: 'help' });
    expect(parseCliArguments(['-v'])).toEqual({ command: 'version' });
  });

  it.each([
    [['serve'], "Unknown command 'serve'"],
    [['start', '--port', '70000'], '--port must be a port number'],
    [['start', '--port'], '--port needs a value'],
    [['start', '--verbose'], "Unknown option '--verbose'"],
    [['start', 'extra'], "Unexpected argument 'extra'"],
    [['dev'], "'dev' needs the app"],
    [['dev', 'a', 'b'], "Unexpected argument 'b'"],
    [['start', '--log-level', 'loud'], '--log-level must be'],
    [['start', '--endpoints', '0'], '--endpoints must be a number from 1 to 16'],
    [['start', '--endpoints', '17'], '--endpoints must be a number from 1 to 16'],
    [['start', '--endpoints', '2.5'], '--endpoints must be a number from 1 to 16'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArguments(argv)).toThrow(message);
  });
});
