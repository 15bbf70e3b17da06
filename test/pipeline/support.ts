import type { LogFields, Logger } from '../../connection/index.js';
import { TestServer, type TestServerOptions } from '../../hosting/test-server.js';
import type { ApplicationBuilder } from '../../pipeline/index.js';
import type { HttpApplication } from '../../protocols/http/index.js';

/** Starts `app` on a TestServer, runs `fn`, and always stops the server. */
export async function serve(
  app: ApplicationBuilder | HttpApplication,
  fn: (server: TestServer) => Promise<void>,
  options?: TestServerOptions,
): Promise<void> {
  const server = await TestServer.start(app, options);
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

/**
 * Sends raw request bytes on a fresh connection and resolves with everything the server sent
 * before it closed (the request should carry `connection: close`). For targets fetch() would
 * normalise away (`/a/../b`, absolute-form, `*`).
 */
export function rawExchange(server: TestServer, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = server.connect();
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('end', () => socket.end());
    socket.write(request);
  });
}

/** The body of a raw HTTP/1.1 response with a content-length. */
export function rawBody(response: string): string {
  return response.slice(response.indexOf('\r\n\r\n') + 4);
}

export interface LogEntry {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** A record in pino's argument order (fields, message) or a message alone, as a LogEntry. */
export function entry(level: string, a: LogFields | string, message?: string): LogEntry {
  return typeof a === 'string' ? { level, message: a } : { level, message: message ?? '', fields: a };
}

/** A logger that remembers what it was told. */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];
  debug(a: LogFields | string, message?: string): void {
    this.entries.push(entry('debug', a, message));
  }
  info(a: LogFields | string, message?: string): void {
    this.entries.push(entry('info', a, message));
  }
  warn(a: LogFields | string, message?: string): void {
    this.entries.push(entry('warn', a, message));
  }
  error(a: LogFields | string, message?: string): void {
    this.entries.push(entry('error', a, message));
  }
  errors(): LogEntry[] {
    return this.entries.filter((e) => e.level === 'error');
  }
}
