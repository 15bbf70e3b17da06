import { ApplicationBuilder } from '../pipeline/index.js';
/**
 * The app `tiercel serve` runs when given no module: the TechEmpower-style routes the benchmark
 * uses, an echo and a health check.
 *
 * - `GET /plaintext` → `Hello, World!` (text/plain)
 * - `GET /json` → `{"message":"Hello, World!"}` (serialised per request, as TechEmpower requires)
 * - `POST /echo` → the request body back, streamed, with its content type
 * - `GET /healthz` → `Healthy`
 */
export declare function demoApp(app?: ApplicationBuilder): ApplicationBuilder;
