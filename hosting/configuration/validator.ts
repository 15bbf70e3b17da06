// A small typed validator for the configuration: each check takes an unknown value and the key
// path it sits at, and returns the value typed or throws a ConfigurationError naming that path.
// The rules of each option stay with the option (the limits' own resolvers); this only checks
// the shape of what a JSON file can hold, so that a typo is reported where it is.
import { ConfigurationError } from './configuration-errors.js';

export type Check<T> = (value: unknown, key: string) => T;

/** The fields of an object checked by `object`: optional unless listed as required. */
type Shape = Record<string, Check<unknown>>;
export type Checked<S extends Shape> = { [K in keyof S]?: ReturnType<S[K]> };

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? JSON.stringify(value) : `${typeof value} ${String(value)}`;

export function fail(key: string, rule: string): never {
  throw new ConfigurationError(key, rule);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const plainObject: Check<Record<string, unknown>> = (value, key) =>
  isPlainObject(value) ? value : fail(key, `must be an object (got ${describe(value)})`);

export const nonEmptyString: Check<string> = (value, key) =>
  typeof value === 'string' && value.length > 0 ? value : fail(key, `must be a non-empty string (got ${describe(value)})`);

export const boolean: Check<boolean> = (value, key) => (typeof value === 'boolean' ? value : fail(key, `must be true or false (got ${describe(value)})`));

export function oneOf<T extends string | boolean>(values: readonly T[]): Check<T> {
  return (value, key) =>
    values.includes(value as T) ? (value as T) : fail(key, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')} (got ${describe(value)})`);
}

/** An array of non-empty strings (addresses, ranges). */
export const stringList: Check<string[]> = (value, key) => {
  if (!Array.isArray(value)) return fail(key, `must be an array of strings (got ${describe(value)})`);
  return value.map((v: unknown, i) => nonEmptyString(v, `${key}[${i}]`));
};

/** A number; `range` checks it further (the owner's resolver usually does). */
export const number: Check<number> = (value, key) =>
  typeof value === 'number' && !Number.isNaN(value) ? value : fail(key, `must be a number (got ${describe(value)})`);

/** An object of named entries (`endpoints`, `certificates`), each checked by `entry`. */
export function record<T>(entry: Check<T>): Check<Record<string, T>> {
  return (value, key) => {
    const o = plainObject(value, key);
    const out: Record<string, T> = {};
    for (const [name, v] of Object.entries(o)) {
      if (name.length === 0) fail(key, 'an entry needs a non-empty name');
      if (name === '__proto__') fail(`${key}.${name}`, 'is not a name an entry may have');
      out[name] = entry(v, `${key}.${name}`);
    }
    return out;
  };
}

/** An object with exactly these optional fields (`required` must be there); any other key is refused. */
export function object<S extends Shape>(shape: S, required: readonly (keyof S & string)[] = []): Check<Checked<S>> {
  const known = Object.keys(shape);
  return (value, key) => {
    const o = plainObject(value, key);
    const out: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(o)) {
      const at = key === '' ? name : `${key}.${name}`;
      if (!Object.hasOwn(shape, name)) fail(at, `is not a known key (known here: ${known.join(', ')})`);
      out[name] = shape[name](v, at);
    }
    for (const name of required) if (out[name] === undefined) fail(key === '' ? name : `${key}.${name}`, 'is required');
    return out as Checked<S>;
  };
}
