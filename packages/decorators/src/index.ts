// Public API of @serverless-hub/decorators: the decorators, and the metadata reader that
// @serverless-hub/core's hub compiler uses. `@UseFilters` is core's (typed with core's filter types); it
// records its filters through recordFilters.

// class decorators
export { Hub } from './hub.js';

// method decorators
export { HubEvent } from './hub-event.js';
export { NotEvent } from './not-event.js';
export { Negotiate } from './negotiate.js';
// method or parameter decorators
export { Validate } from './validate.js';

// parameter decorators
export { HubContext } from './hub-context.js';
export { FunctionContext } from './function-context.js';
export { Signal } from './signal.js';
export { Ignore } from './ignore.js';
export { Optional } from './optional.js';

// metadata
export {
  readHubClassMetadata,
  readHubMemberMetadata,
  readConstructorParameterMarkers,
  recordFilters,
} from './metadata.js';
export type {
  HubOptions,
  HubNegotiateOptions,
  FilterReference,
  ParameterMarker,
  ConstructorParameterMarker,
  EventMode,
  HubClassMetadata,
  HubMemberMetadata,
} from './metadata.js';
// The Standard Schema interface that @Validate accepts (types only).
export type { StandardSchemaV1 } from '@standard-schema/spec';
