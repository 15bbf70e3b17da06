import { createRequire } from 'node:module';
import type Negotiator from 'negotiator';

// negotiator is CommonJS: required with the first negotiation, not imported (see router.ts).
const require = createRequire(import.meta.url);
let NegotiatorClass: typeof Negotiator | undefined;

/** The content codings tiercel produces (and serves precompressed), best first when the client ranks them equally. */
export type ContentCoding = 'br' | 'gzip';

interface WithPreferred {
  encoding(available: readonly string[], options: { preferred: readonly string[] }): string | undefined;
}

const SERVER_ORDER: readonly string[] = ['br', 'gzip', 'identity'];

/**
 * The coding to send, by the client's `Accept-Encoding` with its q-values (RFC 9110 §12.5.3),
 * from `available` (a subset of br, gzip): undefined means identity, the body as is. Ties go to
 * br, then gzip. Without the header, identity (a client that says nothing gets no coding).
 */
export function negotiateEncoding(acceptEncoding: string | undefined, available: readonly ContentCoding[]): ContentCoding | undefined {
  if (acceptEncoding === undefined || acceptEncoding === '') return undefined;
  // negotiator 1.x takes `{ preferred }` (the order for ties); its typings predate it.
  NegotiatorClass ??= require('negotiator') as typeof Negotiator;
  const negotiator = new NegotiatorClass({ headers: { 'accept-encoding': acceptEncoding } }) as WithPreferred;
  const chosen = negotiator.encoding([...available, 'identity'], { preferred: SERVER_ORDER });
  return chosen === 'br' || chosen === 'gzip' ? chosen : undefined;
}
