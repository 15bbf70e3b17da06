import 'reflect-metadata';
import { container } from 'tsyringe';
import type { Duplex } from 'node:stream';
import type { LogFields, Logger, LoggerFactory } from '../../connection/index.js';
import { entry } from '../pipeline/support.js';
import { addTiercel, type DependencyContainer, type TiercelOptions } from '../../di/index.js';

/** A container the application owns (a child of tsyringe's root, as an app would make) with tiercel's defaults, quiet. */
export function appContainer(options: TiercelOptions = {}): DependencyContainer {
  return addTiercel(container.createChildContainer(), { ...options, server: { logLevel: 'silent', ...options.server } });
}

export interface LogLine {
  readonly category: string;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

/** A logger factory that keeps every line with its category. */
export class RecordingLoggerFactory implements LoggerFactory {
  readonly lines: LogLine[] = [];
  readonly categories: string[] = [];
  create(category: string): Logger {
    this.categories.push(category);
    const line =
      (level: LogLine['level']) =>
      (a: LogFields | string, message?: string): void => {
        const { message: m, fields } = entry(level, a, message);
        this.lines.push({ category, level, message: m, fields });
      };
    return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  }
  /** The lines of one category. */
  of(category: string): LogLine[] {
    return this.lines.filter((l) => l.category === category);
  }
}

/** Reads until `text` holds one whole response with a content-length body (or the stream ends). */
export function responseComplete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, end));
  return length !== null && text.length >= end + 4 + Number(length[1]);
}

/** Resolves when `stream` ends or closes (the server closed the connection). */
export function ended(stream: Duplex): Promise<void> {
  return new Promise((resolve) => {
    if (stream.readableEnded || stream.destroyed) return resolve();
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.resume();
  });
}

/** Waits (polling every few ms, up to `timeoutMs`) until `check()` holds: for events the test cannot await directly. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
