/** The emulator's limits and timings, every option resolved to a value. */
export interface EmulatorLimits {
  readonly keepAliveIntervalMs: number;
  readonly clientTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly unusedConnectionTimeoutMs: number;
  readonly longPollingTimeoutMs: number;
  readonly longPollingDisconnectTimeoutMs: number;
  readonly maxBufferedBytesPerConnection: number;
  readonly maxMessageSize: number;
  /** How long a closed long-polling connection's token still answers a late poll (204). */
  readonly closedConnectionGraceMs: number;
}
