/** tchar (RFC 9110 §5.6.2): the characters of a token, such as a header name or a method. */
export declare const TOKEN: Uint8Array<ArrayBuffer>;
/** field-vchar, SP and HTAB (RFC 9110 §5.5): what a field value may hold, obs-text included. */
export declare const FIELD_VALUE: Uint8Array<ArrayBuffer>;
export declare function isToken(s: string): boolean;
/** 0: invalid, 1: valid ASCII, 2: valid with obs-text (must be written as latin1). */
export declare function classifyFieldValue(s: string): 0 | 1 | 2;
