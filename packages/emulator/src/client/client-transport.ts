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
}
