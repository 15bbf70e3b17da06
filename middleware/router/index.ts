// middleware/router/: routes with parameters, wildcards and constraints on find-my-way (fastify's
// radix router), per-method handlers, 405 with Allow, and the matched template on `ctx.route`.
export { Router, type RouteHandler } from './router.js';
export { ROUTER_DEFAULTS, resolveRouterOptions, type RouterOptions, type ResolvedRouterOptions } from './router-options.js';
export { RouterConfigError } from './router-errors.js';
