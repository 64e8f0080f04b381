// Public API of @serverless-hub/emulator: a local Azure SignalR Service (serverless mode) and a local
// Azure Functions host for development and tests. Internals stay unexported.

// service emulator
export {
  createServiceEmulator,
  ServiceEmulator,
  EMULATOR_ACCESS_KEY,
  DEFAULT_EMULATOR_PORT,
} from './service/service-emulator.js';
export type { ServiceEmulatorOptions } from './service/service-emulator.js';
export type { TransportName } from './client/client-transport.js';

// local functions host
export { createFunctionsHost, FunctionsHost } from './functions-host/functions-host.js';
export type { FunctionsHostOptions } from './functions-host/functions-host.js';
export type { ListedFunction } from './functions-host/function-index.js';
export { applyLocalSettings, loadLocalSettings, parseLocalSettings } from './functions-host/local-settings.js';
export type { LocalSettings } from './functions-host/local-settings.js';
export { loadApp, resolveApp } from './functions-host/load-app.js';
export type { AppLocation } from './functions-host/load-app.js';

// upstream settings
export {
  DEFAULT_UPSTREAM_URL_TEMPLATE,
  loadUpstreamSettings,
  parseUpstreamSettings,
} from './upstream/upstream-settings.js';
export type { UpstreamTemplate } from './upstream/upstream-settings.js';

// logging
export { createLogger, isLogLevel } from './logging/emulator-logger.js';
export type { EmulatorLogger, LoggerOptions, LogLevel, LogSink } from './logging/emulator-logger.js';

// errors
export { EmulatorError } from './errors/emulator-error.js';
export type { EmulatorErrorCode } from './errors/emulator-error.js';
