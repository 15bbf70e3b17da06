// middleware/shared/: helpers several middleware use, so each rule (how Vary is added to) has one implementation.
export { appendVary, varyNames } from './vary.js';
