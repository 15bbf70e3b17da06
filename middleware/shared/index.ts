// middleware/shared/: helpers several middleware use, so each rule (how Vary is added to, how a
// wrapped response body is finished) has one implementation.
export { appendVary, varyNames } from './vary.js';
export { completeWrapped, runWrapped, WrappingBody, type WrappedBody } from './wrapped-body.js';
