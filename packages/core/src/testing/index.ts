// Public API of @serverless-hub/core/testing: helpers to test hubs and the functions registered for
// them, without the Functions host or the service.
export { createUpstreamRequest } from './upstream-request.js';
export type { UpstreamRequestOptions } from './upstream-request.js';
export { readUpstreamResponse } from './upstream-response.js';
export type { DecodedCompletion, UpstreamResponse } from './upstream-response.js';
export { createTestInvocationContext } from './test-invocation-context.js';
export type { LoggedLine, TestInvocationContext } from './test-invocation-context.js';
export { createRecordingServices } from './recording-services.js';
export type {
  ClientSelection,
  RecordedCall,
  RecordedMessage,
  RecordingAnswers,
  RecordingServices,
} from './recording-services.js';
export { EMULATOR_CONNECTION_STRING, createHubTestBed } from './hub-test-bed.js';
export type {
  HubCallOptions,
  HubCallResult,
  HubTestBed,
  HubTestBedOptions,
  NegotiateCallOptions,
  NegotiateResult,
} from './hub-test-bed.js';
export { createSignalRTriggerInvocation, invokeSignalRTrigger } from './signalr-trigger-invocation.js';
export type { SignalRTriggerInvocationOptions, SignalRTriggerOutcome } from './signalr-trigger-invocation.js';
// The functions registerHubs declared in this process (their types are in the main entry).
export { clearRegisteredFunctions, getRegisteredFunctions } from '../functions/function-registry.js';
