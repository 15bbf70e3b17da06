import {
  DEFAULT_MAX_READ_BUFFER_SIZE,
  DEFAULT_MAX_WRITE_BUFFER_SIZE,
  InvalidOptionError,
  type TransportOptions,
} from '../connection/index.js';

/** Checks one option's value and throws `InvalidOptionError` stating the rule it breaks. */
export type OptionRule = (name: string, value: unknown) => void;

/** One rule for every option a transport knows: a name without a rule is an unknown option. */
export type OptionRules<T> = { readonly [K in keyof T]-?: OptionRule };

export const positiveInteger: OptionRule = (name, value) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(name, `must be a positive integer (got ${String(value)})`);
  }
};

export const boolean: OptionRule = (name, value) => {
  if (typeof value !== 'boolean') throw new InvalidOptionError(name, `must be true or false (got ${String(value)})`);
};

/** Unix permission bits, written in octal (0o600); no setuid, setgid or sticky bits. */
export const fileMode: OptionRule = (name, value) => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0o777) {
    throw new InvalidOptionError(name, `must be permission bits between 0o000 and 0o777 (got ${String(value)})`);
  }
};

/** The options every transport shares, with Kestrel's defaults (see connection/transport.ts). */
export const bufferDefaults: Required<TransportOptions> = {
  maxReadBufferSize: DEFAULT_MAX_READ_BUFFER_SIZE,
  maxWriteBufferSize: DEFAULT_MAX_WRITE_BUFFER_SIZE,
};

export const bufferRules: OptionRules<TransportOptions> = {
  maxReadBufferSize: positiveInteger,
  maxWriteBufferSize: positiveInteger,
};

/**
 * Lays option objects over the defaults (a later layer wins; an `undefined` value keeps what is
 * below it) and checks every value given. A name the transport does not know is refused rather
 * than ignored: a misspelt `maxWriteBuferSize` would otherwise silently leave the default.
 */
export function resolveOptions<T extends object>(
  defaults: Required<T>,
  rules: OptionRules<T>,
  ...layers: (T | undefined)[]
): Required<T> {
  const resolved = { ...defaults };
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const [name, value] of Object.entries(layer)) {
      const rule = (rules as Record<string, OptionRule | undefined>)[name];
      if (rule === undefined) {
        throw new InvalidOptionError(name, `is not an option of this transport (known: ${Object.keys(rules).join(', ')})`);
      }
      if (value === undefined) continue;
      rule(name, value);
      (resolved as Record<string, unknown>)[name] = value;
    }
  }
  return resolved;
}
