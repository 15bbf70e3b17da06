// pipeline/: the request pipeline apps are written against (ASP.NET Core's HttpContext and
// IApplicationBuilder). Imports protocols/http (the exchange contract) and connection only.
export { ApplicationBuilder, } from './application-builder.js';
export { HttpContext, ConnectionInfo } from './http-context.js';
export { HttpRequest } from './http-request.js';
export { HttpResponse } from './http-response.js';
export { HttpError } from './http-error.js';
export { BodyAlreadyReadError, RequestBodyTooLargeError, ResponseEndedError, InvalidStatusCodeError, InvalidBodyError, PipelineConfigError, } from './errors.js';
export { decodePath, matchesPrefix } from './path.js';
//# sourceMappingURL=index.js.map