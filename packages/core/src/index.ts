// Public API of @serverless-hub/core. Internals stay unexported.

// errors
export { ServerlessHubError } from './errors/serverless-hub-error.js';
export type { ServerlessHubErrorCode } from './errors/serverless-hub-error.js';

// connection strings (issue: foundation)

// tokens, negotiate, claims (issue: foundation)

// hub protocol (issue: upstream)
export { MessageType } from './protocol/hub-message.js';
export type {
  AckMessage,
  CancelInvocationMessage,
  CloseMessage,
  CompletionMessage,
  HubMessage,
  InvocationMessage,
  MessageHeaders,
  PingMessage,
  SequenceMessage,
  StreamInvocationMessage,
  StreamItemMessage,
} from './protocol/hub-message.js';
export { hubProtocolByContentType, hubProtocolByName } from './protocol/hub-protocol.js';
export type { HubMessageReader, HubMessageReaderOptions, HubProtocol, HubProtocolName } from './protocol/hub-protocol.js';
export { DEFAULT_MAX_MESSAGE_SIZE } from './protocol/framed-reader.js';
export { createJsonHubProtocol, jsonHubProtocol } from './protocol/json-hub-protocol.js';
export { createMessagePackHubProtocol, messagePackHubProtocol } from './protocol/message-pack-hub-protocol.js';
export {
  MAX_HANDSHAKE_SIZE,
  SUPPORTED_HANDSHAKE_VERSIONS,
  parseHandshakeRequest,
  parseHandshakeResponse,
  selectHubProtocol,
  writeHandshakeRequest,
  writeHandshakeResponse,
} from './protocol/handshake.js';
export type { HandshakeParseResult, HandshakeRequest, HandshakeResponse } from './protocol/handshake.js';
export { MAX_LENGTH_PREFIX_VALUE, lengthPrefixSize, readLengthPrefix, writeLengthPrefix } from './protocol/varint.js';
export type { LengthPrefix } from './protocol/varint.js';
export { RECORD_SEPARATOR, RECORD_SEPARATOR_CODE } from './protocol/record-separator.js';

// upstream (issue: upstream)

// service REST API (issue: REST client)

// hub model and registration (issue: class model)
