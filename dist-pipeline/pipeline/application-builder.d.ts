import 'reflect-metadata';
import { type DependencyContainer } from 'tsyringe';
import { type Logger } from '../connection/index.js';
import { type HttpApplication } from '../protocols/http/index.js';
import { HttpContext } from './http-context.js';
/** Runs the rest of the pipeline. Return (or await) what it returns. */
export type Next = () => void | Promise<void>;
/**
 * A request middleware. Sync-first: return undefined when done synchronously, a promise
 * otherwise. A middleware that calls `next()` without returning or awaiting its result is still
 * waited for, but cannot act after the rest of the pipeline.
 */
export type Middleware = (ctx: HttpContext, next: Next) => void | Promise<void>;
/** The end of a pipeline: answers the request and does not call anything further. */
export type RequestHandler = (ctx: HttpContext) => void | Promise<void>;
export type RequestPredicate = (ctx: HttpContext) => boolean;
export interface ApplicationBuilderOptions {
    /**
     * Where unhandled errors are logged. Default: the `LOGGER` registered in the builder's
     * container (or its parents), else nowhere: the pipeline never writes to the console itself.
     */
    logger?: Logger;
}
/**
 * Composes the request pipeline (ASP.NET's IApplicationBuilder). Register middleware with `use`,
 * branches with `map` and `when`, the handler with `run`, then `build()` once: the composition is
 * fixed at build time and nothing is composed per request.
 */
export declare class ApplicationBuilder {
    #private;
    /** The container request scopes are created from; undefined means a private one is made on first need. */
    readonly services: DependencyContainer | undefined;
    readonly options: Readonly<ApplicationBuilderOptions>;
    constructor(services?: DependencyContainer, options?: ApplicationBuilderOptions);
    use(middleware: Middleware): this;
    /**
     * Branches on a path prefix of whole segments, ignoring case: `map('/api', …)` takes `/api` and
     * `/api/x`, not `/apix`. Inside, the prefix moves from `request.path` to `request.pathBase`;
     * both are restored when the branch returns. The branch does not rejoin: if nothing in it
     * answers, the request gets a 404.
     */
    map(prefix: string, configure: (branch: ApplicationBuilder) => void): this;
    /**
     * Runs a branch for the requests `predicate` accepts; when the branch calls `next` at its end,
     * the main pipeline continues (ASP.NET's UseWhen). A branch that `run`s does not rejoin.
     */
    when(predicate: RequestPredicate, configure: (branch: ApplicationBuilder) => void): this;
    /** Sets the terminal handler. Nothing can be added after it. */
    run(handler: RequestHandler): this;
    /**
     * Composes the pipeline into the application a protocol adapter calls for each request.
     * `services` is the container to use when the builder was given none (the host passes its own,
     * so request scopes and the LOGGER come from the server's container).
     */
    build(services?: DependencyContainer): HttpApplication;
}
