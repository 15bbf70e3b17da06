// Fuzz target: the listen-URL parser (`parseUrl`, which `parseEndpoint` wraps). The bytes are
// read as UTF-8: a URL comes from configuration or a command line, as text.
import { checkEndpoint } from './endpoint-invariants.js';

export function fuzz(data: Buffer): void {
  checkEndpoint(data.toString('utf8'));
}
