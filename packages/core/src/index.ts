// Public API of @serverless-hub/core. Internals stay unexported.

// errors
export { ServerlessHubError } from './errors/serverless-hub-error.js';
export type { ServerlessHubErrorCode } from './errors/serverless-hub-error.js';

// connection strings (issue: foundation)

// tokens, negotiate, claims (issue: foundation)

// hub protocol (issue: upstream)

// upstream (issue: upstream)

// service REST API (issue: REST client)

// hub model and registration (issue: class model)
