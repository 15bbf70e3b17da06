export declare function reasonPhrase(status: number): string;
/** Status codes whose responses never have a body (RFC 9110 §6.4.1). */
export declare function statusHasNoBody(status: number): boolean;
