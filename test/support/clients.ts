import { execFile } from 'node:child_process';

export interface CurlResult {
  /** Exit code (0 on success; curl's own codes otherwise, e.g. 7 = could not connect). */
  readonly code: number;
  readonly stdout: Buffer;
  /** With `-v`, the request and response heads (`> ` and `< ` lines) and curl's notes (`* `). */
  readonly stderr: string;
}

/** Runs /usr/bin/curl with `args` (never through a shell); `input` is written to its stdin. */
export function curl(args: readonly string[], input?: Buffer, timeoutMs = 10_000): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'curl',
      args,
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        if (err !== null && err.killed) {
          reject(new Error(`curl ${args.join(' ')} timed out; stderr: ${stderr.toString('latin1')}`));
          return;
        }
        resolve({ code, stdout, stderr: stderr.toString('latin1') });
      },
    );
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

export interface ParsedResponse {
  readonly status: number;
  /** Header names lower-cased; a repeated header keeps its last value. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Splits a byte stream (latin1 text) into the HTTP/1.1 responses it holds, in order. Bodies are
 * framed by content-length or chunked coding; 1xx responses and HEAD answers (pass `noBody`) have
 * none. Throws on anything it cannot frame, so a test sees a garbled stream as an error.
 */
export function parseResponses(text: string, noBody: (index: number) => boolean = () => false): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let at = 0;
  while (at < text.length) {
    const headEnd = text.indexOf('\r\n\r\n', at);
    if (headEnd < 0) throw new Error(`incomplete response head at ${at}: ${JSON.stringify(text.slice(at, at + 200))}`);
    const lines = text.slice(at, headEnd).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3}) /.exec(lines[0] + ' ');
    if (m === null) throw new Error(`bad status line at ${at}: ${JSON.stringify(lines[0])}`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    at = headEnd + 4;
    let body = '';
    if (status >= 200 && status !== 204 && status !== 304 && !noBody(out.length)) {
      if (headers['transfer-encoding'] === 'chunked') {
        for (;;) {
          const lineEnd = text.indexOf('\r\n', at);
          if (lineEnd < 0) throw new Error(`incomplete chunk size at ${at}`);
          const size = parseInt(text.slice(at, lineEnd), 16);
          if (!Number.isFinite(size)) throw new Error(`bad chunk size ${JSON.stringify(text.slice(at, lineEnd))}`);
          at = lineEnd + 2;
          if (size === 0) {
            const trailerEnd = text.indexOf('\r\n\r\n', at - 2);
            if (trailerEnd < 0) throw new Error('incomplete trailer section');
            at = trailerEnd + 4;
            break;
          }
          body += text.slice(at, at + size);
          if (text.slice(at + size, at + size + 2) !== '\r\n') throw new Error(`chunk not followed by CRLF at ${at + size}`);
          at += size + 2;
        }
      } else if (headers['content-length'] !== undefined) {
        const n = Number(headers['content-length']);
        if (at + n > text.length) throw new Error(`body cut short: want ${n} bytes at ${at}, have ${text.length - at}`);
        body = text.slice(at, at + n);
        at += n;
      } else {
        throw new Error(`response ${out.length} has no framing: ${JSON.stringify(lines)}`);
      }
    }
    if (status >= 200) out.push({ status, headers, body });
  }
  return out;
}
