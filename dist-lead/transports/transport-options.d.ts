import { type TransportOptions } from '../connection/index.js';
/** Checks one option's value and throws `InvalidOptionError` stating the rule it breaks. */
export type OptionRule = (name: string, value: unknown) => void;
/** One rule for every option a transport knows: a name without a rule is an unknown option. */
export type OptionRules<T> = {
    readonly [K in keyof T]-?: OptionRule;
};
export declare const positiveInteger: OptionRule;
export declare const boolean: OptionRule;
/** Unix permission bits, written in octal (0o600); no setuid, setgid or sticky bits. */
export declare const fileMode: OptionRule;
/** The options every transport shares, with Kestrel's defaults (see connection/transport.ts). */
export declare const bufferDefaults: Required<TransportOptions>;
export declare const bufferRules: OptionRules<TransportOptions>;
/**
 * Lays option objects over the defaults (a later layer wins; an `undefined` value keeps what is
 * below it) and checks every value given. A name the transport does not know is refused rather
 * than ignored: a misspelt `maxWriteBuferSize` would otherwise silently leave the default.
 */
export declare function resolveOptions<T extends object>(defaults: Required<T>, rules: OptionRules<T>, ...layers: (T | undefined)[]): Required<T>;
