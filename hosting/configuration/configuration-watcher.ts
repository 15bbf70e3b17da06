import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../../connection/index.js';
import { HTTP_OPTIONS, resolveHttpOptions } from '../../protocols/http/index.js';
import type { EndpointBuilder } from '../endpoint-builder.js';
import type { Server } from '../server.js';
import { configureEndpoint } from './apply-configuration.js';
import { loadConfiguration, type ResolvedConfiguration, type ResolvedEndpoint } from './load-configuration.js';

/** How long the file must be quiet before it is read again: an editor writes, renames, touches. */
export const RELOAD_DEBOUNCE_MS = 250;

export interface ConfigurationWatcher {
  /** Stops watching; a reload under way finishes first. */
  close(): Promise<void>;
}

/**
 * Watches the configuration's file (`reloadOnChange`) and applies what changed to the running
 * server: a removed endpoint stops, a new one starts listening, one whose URL changed is re-bound,
 * one whose certificate, protocols or TLS settings changed (or every one, when the HTTP limits
 * changed) gets a new pipeline for its new connections. Endpoints that did not change keep their
 * listener and connections. A file that breaks a rule changes nothing: the reason is logged at
 * warn and the running configuration stays.
 */
export function watchConfiguration(server: Server, initial: ResolvedConfiguration, logger: Logger, debounceMs = RELOAD_DEBOUNCE_MS): ConfigurationWatcher {
  const file = initial.sources.file!;
  let current = initial;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  const reload = async (): Promise<void> => {
    let next: ResolvedConfiguration;
    try {
      next = loadConfiguration(current.sources);
    } catch (err) {
      logger.warn(`The configuration in ${file} was not applied; the running one stays: ${(err as Error).message}`);
      return;
    }
    const changes = await apply(server, current, next, logger);
    current = next;
    if (changes.length > 0) logger.info(`Configuration reloaded from ${file}: ${changes.join('; ')}`);
  };

  // The folder, not the file: editors replace a file by renaming a new one over it, which ends a watch on the file itself.
  const watcher: FSWatcher = watch(dirname(file), (_event, name) => {
    if (closed || (name !== null && name !== basename(file))) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(() => (closed ? undefined : reload()));
    }, debounceMs);
  });
  watcher.on('error', (err) => logger.warn(`Stopped watching ${file}: ${err.message}`));

  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
      await running;
    },
  };
}

/** Applies the difference between two configurations; returns what it did, for the log. */
async function apply(server: Server, from: ResolvedConfiguration, to: ResolvedConfiguration, logger: Logger): Promise<string[]> {
  const done: string[] = [];
  // The app is built once, at start, with the forwarded-headers middleware and health checks it had.
  for (const key of ['shutdownTimeoutMs', 'logLevel', 'workers', 'webSockets', 'forwardedHeaders', 'health'] as const) {
    if (JSON.stringify(from[key]) !== JSON.stringify(to[key])) logger.warn(`${key === 'webSockets' ? 'limits.webSockets' : key} changed in ${to.sources.file}: it applies at the next start`);
  }
  const limitsChanged = JSON.stringify(from.http) !== JSON.stringify(to.http);
  if (limitsChanged) {
    server.services.register(HTTP_OPTIONS, { useValue: resolveHttpOptions(to.http) });
    done.push('HTTP limits changed');
  }
  const bound = new Map<string, EndpointBuilder>();
  for (const b of server.boundEndpoints) if (b.name !== undefined) bound.set(b.name, b);
  const before = new Map(from.endpoints.map((e) => [e.name, e]));
  const after = new Map(to.endpoints.map((e) => [e.name, e]));
  // Removals first, so that an endpoint re-bound at another URL may take a freed address.
  for (const [name, e] of before) {
    const next = after.get(name);
    const builder = bound.get(name);
    if (builder === undefined || (next !== undefined && next.url === e.url)) continue;
    await attempt(logger, `remove endpoint ${name}`, () => server.removeEndpoint(builder));
    bound.delete(name);
    done.push(next === undefined ? `endpoint ${name} removed` : `endpoint ${name} moved to ${next.url}`);
  }
  for (const [name, e] of after) {
    const builder = bound.get(name);
    if (builder === undefined) {
      if (await attempt(logger, `add endpoint ${name} (${e.url})`, () => server.addEndpoint(e.url, configureEndpoint(e)))) {
        if (!before.has(name)) done.push(`endpoint ${name} added`);
      }
    } else if (limitsChanged || fingerprint(before.get(name)!) !== fingerprint(e)) {
      if (await attempt(logger, `reconfigure endpoint ${name}`, () => server.replaceEndpoint(builder, configureEndpoint(e)))) done.push(`endpoint ${name} reconfigured`);
    }
  }
  return done;
}

async function attempt(logger: Logger, what: string, action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (err) {
    logger.warn(`Could not ${what} after a configuration change: ${(err as Error).message}`);
    return false;
  }
}

function fingerprint(e: ResolvedEndpoint): string {
  return JSON.stringify([e.url, e.protocols, e.https, e.proxyProtocol]);
}
