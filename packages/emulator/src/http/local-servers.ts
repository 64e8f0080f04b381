import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '@serverless-hub/core/upstream';
import { EmulatorError } from '../errors/emulator-error.js';
import type { EmulatorLogger } from '../logging/emulator-logger.js';

// The HTTP servers of the service emulator and of the functions host: the same port, with the same
// errors, on the requested address and, for a loopback name, on [::1] as well.

const loopbackV4 = new Set(['127.0.0.1', 'localhost']);

/** Refuses a `port` option that is not an integer from 0 to 65535. */
export function checkListenPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EmulatorError('CONFIG_INVALID', `port must be an integer from 0 to 65535, got ${String(port)}.`);
  }
}

function listen(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Where and how {@link listenLocally} listens. */
export interface LocalListenOptions {
  readonly host: string;
  /** `0` picks a free port. */
  readonly port: number;
  /** The `LISTEN_FAILED` message when the port is taken: which port, and what to do. */
  readonly portInUseMessage: string;
  readonly logger: EmulatorLogger;
}

/**
 * Listens on `host`:`port` with a server made by `createServer` and, when `host` is an IPv4 loopback
 * name, with a second one on [::1] at the same port where IPv6 is available. Each server is added to
 * `servers`, for {@link closeServers}. Resolves to the port listened on.
 *
 * @throws {EmulatorError} `LISTEN_FAILED` when the first server cannot listen.
 */
export async function listenLocally(
  servers: Server[],
  createServer: () => Server,
  options: LocalListenOptions,
): Promise<number> {
  const { host, port: requestedPort, logger } = options;
  const primary = createServer();
  servers.push(primary);
  let port: number;
  try {
    port = await listen(primary, host, requestedPort);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new EmulatorError(
      'LISTEN_FAILED',
      code === 'EADDRINUSE'
        ? options.portInUseMessage
        : `Cannot listen on ${host}:${requestedPort}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  if (loopbackV4.has(host)) {
    // `localhost` may resolve to ::1 first: serve it too when IPv6 is available.
    const secondary = createServer();
    try {
      await listen(secondary, '::1', port);
      servers.push(secondary);
    } catch (error) {
      logger.debug(`not listening on [::1]:${port}: ${errorMessage(error)}`);
    }
  }
  return port;
}

/** Stops every server, ending the connections they still hold (keep-alive ones included). */
export async function closeServers(servers: readonly Server[]): Promise<void> {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
          server.closeAllConnections();
        }),
    ),
  );
}
