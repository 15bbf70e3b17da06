import { InvalidOptionError } from '../../connection/index.js';

// A DNS label (RFC 1123): letters, digits and inner hyphens, 1 to 63 characters.
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-cases a host name and drops a trailing dot (SNI names are compared case-insensitively). */
function normalizeHost(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * Checks an SNI pattern at configuration time: a host name (`api.example.com`) or a wildcard over
 * one label below a domain (`*.example.com`). Returns it normalized; throws `InvalidOptionError`.
 */
export function checkHostPattern(option: string, pattern: string): string {
  const host = normalizeHost(pattern);
  const wildcard = host.startsWith('*.');
  const labels = (wildcard ? host.slice(2) : host).split('.');
  if (host.length > 253 || !labels.every((l) => LABEL.test(l)) || (wildcard && labels.length < 2)) {
    throw new InvalidOptionError(
      `${option}['${pattern}']`,
      "must be a host name ('api.example.com') or a wildcard over one label below a domain ('*.example.com')",
    );
  }
  return host;
}

/**
 * Values by host name, for SNI: exact names and wildcards, where, as in certificates (RFC 6125
 * §6.4.3), `*` stands for exactly one whole leftmost label: `*.example.com` matches
 * `a.example.com`, not `example.com` nor `a.b.example.com`. An exact name wins over a wildcard.
 */
export class HostMap<T> {
  readonly #exact = new Map<string, T>();
  readonly #wildcard = new Map<string, T>();

  /** Adds a pattern already checked by `checkHostPattern`. */
  set(pattern: string, value: T): void {
    const host = normalizeHost(pattern);
    if (host.startsWith('*.')) this.#wildcard.set(host.slice(2), value);
    else this.#exact.set(host, value);
  }

  get(serverName: string): T | undefined {
    const host = normalizeHost(serverName);
    const exact = this.#exact.get(host);
    if (exact !== undefined) return exact;
    const dot = host.indexOf('.');
    return dot > 0 ? this.#wildcard.get(host.slice(dot + 1)) : undefined;
  }

  values(): T[] {
    return [...this.#exact.values(), ...this.#wildcard.values()];
  }
}
