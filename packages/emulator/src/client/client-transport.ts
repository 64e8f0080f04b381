import type { OutboundFrame } from '../protocol/outbound-message.js';

/**
 * The SignalR transports, as named in the negotiate response.
 *
 * @example
 * ```ts
 * const transports: readonly TransportName[] = ['ServerSentEvents', 'LongPolling']; // no WebSockets behind this proxy
 * new HubConnectionBuilder().withUrl(url, { transport: transports.map((name) => HttpTransportType[name]).reduce((a, b) => a | b) });
 * ```
 */
export type TransportName = 'WebSockets' | 'ServerSentEvents' | 'LongPolling';

/** The service side of one client's transport. */
export interface ClientTransport {
  readonly name: TransportName;
  /** Whether binary data (MessagePack) can travel over it; Server-Sent Events carry text only. */
  readonly supportsBinary: boolean;
  /** Bytes accepted for the client and not yet handed to the network. */
  readonly bufferedBytes: number;
  write(frame: OutboundFrame): void;
  /** Ends the transport after what was written is delivered. */
  end(): void;
  /**
   * For a polled transport, how long the client has had no poll waiting at `now` (0 while one is held);
   * `undefined` for the others. A polled client shows it is alive by polling: it gets no pings and the
   * client timeout does not apply (the official client's `inherentKeepAlive`).
   */
  pollingIdleMs(now: number): number | undefined;
  /**
   * The emulator is stopping: a transport that would hold the stop open (a held poll) ends at once, dropping
   * what waits; the others are ended by the connection's Close message, as usual.
   */
  stopping(): void;
}
