/**
 * The path part of a request-target with its query removed, before decoding: the target itself
 * for origin-form (`/a/b`), the URL's path for absolute-form (`http://h/a` → `/a`, `http://h` → `/`),
 * `*` for asterisk-form and `''` for authority-form (`host:443`, CONNECT), which has no path.
 */
export declare function rawPathOf(targetWithoutQuery: string): string;
/** The authority of an absolute-form target (`http://user@h:8080/a` → `h:8080`), else undefined. */
export declare function authorityOf(target: string): string | undefined;
/**
 * Decodes an origin-form path as Kestrel does: percent-escapes become characters (UTF-8), except
 * `%2F`, which stays encoded so an escaped slash never becomes a segment separator, and `%00`,
 * which stays encoded so no NUL reaches file-system code. Malformed escapes and invalid UTF-8 are
 * kept as sent. Dot segments (`.`, `..`, also when escaped) are then removed (RFC 3986 §5.2.4) so
 * `/public/../admin` cannot slip past a `map('/admin')` check. A path with neither `%` nor `/.`
 * is returned as is, without allocating.
 */
export declare function decodePath(raw: string): string;
/**
 * Checks a `map()` prefix at build time: it must start with `/`, have at least one character
 * after it and not end with `/` (ASP.NET's rule; `/api/` would never match `/api`).
 */
export declare function isValidMapPrefix(prefix: string): boolean;
/**
 * True when `path` starts with the whole segments of `prefix`, ignoring case: `/api` matches
 * `/api`, `/API/x` and `/api/`, not `/apix`. ASCII is folded in a loop (no allocation); a non-ASCII
 * difference falls back to `toLowerCase`.
 */
export declare function matchesPrefix(path: string, prefix: string): boolean;
