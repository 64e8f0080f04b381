/**
 * How much the emulator logs, from nothing (`silent`) to every detail (`debug`). Each level includes
 * the levels before it: `info` logs errors, warnings and one line per connection, upstream call and
 * REST call.
 *
 * @example
 * ```ts
 * const level: LogLevel = process.env.DEBUG === undefined ? 'info' : 'debug';
 * const emulator = createServiceEmulator({ port: 0, logLevel: level });
 * ```
 */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

/**
 * Receives each log line that passes the level. The line is complete and readable; it never contains
 * an access key or a token.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const sink: LogSink = (level, line) => lines.push(`${level} ${line}`);
 * const emulator = createServiceEmulator({ port: 0, logLevel: 'debug', logSink: sink }); // lines collects the log
 * ```
 */
export type LogSink = (level: Exclude<LogLevel, 'silent'>, line: string) => void;

/**
 * The logger the emulator and the functions host write to.
 *
 * @example
 * ```ts
 * const logger = createLogger({ level: 'info', name: 'emulator' });
 * logger.info('listening on http://localhost:8888');
 * ```
 */
export interface EmulatorLogger {
  readonly level: LogLevel;
  error(line: string): void;
  warn(line: string): void;
  info(line: string): void;
  debug(line: string): void;
  /** Whether a line of this level would be written (to skip building lines nobody reads). */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
}

/**
 * Options of {@link createLogger}.
 *
 * @example
 * ```ts
 * createLogger({ level: 'warn', name: 'functions', sink: (level, line) => myLog(level, line) });
 * ```
 */
export interface LoggerOptions {
  /** Default `info`. */
  readonly level?: LogLevel;
  /** Prefix of every line written to the console, e.g. `emulator`. */
  readonly name?: string;
  /** Where lines go; default: the console (`stderr` for errors and warnings, `stdout` otherwise). */
  readonly sink?: LogSink;
}

const rank: Readonly<Record<LogLevel, number>> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/**
 * Whether a string names a {@link LogLevel}.
 *
 * @example
 * ```ts
 * if (!isLogLevel(argument)) throw new Error(`unknown level ${argument}`);
 * ```
 */
export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(rank, value);
}

function timestamp(): string {
  return new Date().toISOString().slice(11, 23);
}

/**
 * Creates a leveled logger writing one readable line per event.
 *
 * @example
 * ```ts
 * const logger = createLogger({ level: 'debug', name: 'emulator' });
 * logger.debug('heartbeat');
 * ```
 */
export function createLogger(options: LoggerOptions = {}): EmulatorLogger {
  const level = options.level ?? 'info';
  const threshold = rank[level];
  const prefix = options.name === undefined ? '' : `[${options.name}] `;
  const sink: LogSink =
    options.sink ??
    ((lineLevel, line) => {
      const text = `${timestamp()} ${prefix}${lineLevel.padEnd(5)} ${line}\n`;
      if (lineLevel === 'error' || lineLevel === 'warn') process.stderr.write(text);
      else process.stdout.write(text);
    });
  const write = (lineLevel: Exclude<LogLevel, 'silent'>, line: string): void => {
    if (rank[lineLevel] <= threshold) sink(lineLevel, line);
  };
  return {
    level,
    error: (line) => {
      write('error', line);
    },
    warn: (line) => {
      write('warn', line);
    },
    info: (line) => {
      write('info', line);
    },
    debug: (line) => {
      write('debug', line);
    },
    enabled: (lineLevel) => rank[lineLevel] <= threshold,
  };
}
