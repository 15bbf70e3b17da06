// The routing row's 100 routes, shared by tiercel-routes.mjs and fastify-routes.mjs: 25 resources,
// each with a static route, one and two parameters, and a wildcard, so the radix tree branches
// the way a real API's does. The row hits /r17/users/:id.
export const ROUTE_TABLE = [];
for (let i = 0; i < 25; i++) {
  ROUTE_TABLE.push(`/r${i}/status`, `/r${i}/users/:id`, `/r${i}/users/:id/posts/:post`, `/r${i}/files/*`);
}
