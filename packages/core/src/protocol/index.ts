// Public API of @serverless-hub/core/protocol, for the emulator and tools: the SignalR hub protocols
// (JSON and MessagePack codecs, handshake, framing) and the limits and versions of the wire contract.

// hub messages and codecs
export { MessageType } from './hub-message.js';
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
} from './hub-message.js';
export { hubProtocolByContentType, hubProtocolByName } from './hub-protocol.js';
export type { HubMessageReader, HubMessageReaderOptions, HubProtocol, HubProtocolName } from './hub-protocol.js';
export { DEFAULT_MAX_MESSAGE_SIZE } from './framed-reader.js';
export { createJsonHubProtocol, jsonHubProtocol } from './json-hub-protocol.js';
export { createMessagePackHubProtocol, messagePackHubProtocol } from './message-pack-hub-protocol.js';
export { decodeProtocolPayloadMap, encodeProtocolPayloadMap } from './protocol-payload-map.js';
export { MAX_MESSAGE_DEPTH, assertMessageDepth } from './message-fields.js';

// handshake and framing
export {
  MAX_HANDSHAKE_SIZE,
  SUPPORTED_HANDSHAKE_VERSIONS,
  parseHandshakeRequest,
  parseHandshakeResponse,
  selectHubProtocol,
  writeHandshakeRequest,
  writeHandshakeResponse,
} from './handshake.js';
export type { HandshakeParseResult, HandshakeRequest, HandshakeResponse } from './handshake.js';
export { MAX_LENGTH_PREFIX_VALUE, lengthPrefixSize, readLengthPrefix, writeLengthPrefix } from './varint.js';
export type { LengthPrefix } from './varint.js';
export { RECORD_SEPARATOR, RECORD_SEPARATOR_CODE } from './record-separator.js';

// limits, names and versions of the wire contract
export { DEFAULT_CONNECTION_SETTING } from '../connection/endpoint-from-settings.js';
export {
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  MAX_ACCESS_TOKEN_LENGTH,
  MAX_TOKEN_LIFETIME_SECONDS,
  MIN_TOKEN_LIFETIME_SECONDS,
} from '../negotiate/negotiate.js';
export { CLIENT_RESULTS_API_VERSION, REST_API_VERSION } from '../service/hub-rest-routes.js';
export { productInfo } from '../service/product-info.js';
