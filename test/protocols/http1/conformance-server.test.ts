// Runs every case of the llhttp-derived corpus through the REAL server over the in-memory
// transport: the bytes in one write, and split in two at every byte boundary. The app echoes what
// it was given; the responses must be exactly what the parser-level verdict (conformance.test.ts)
// implies, so the driver neither loses, reorders, nor invents a request.
//
// One rule sits above the parser: RFC 9112 §3.2 says an HTTP/1.1 request without Host (or with a
// bad one) MUST get 400. Many corpus cases omit Host; the server parses them exactly as the parser
// test checks, then answers 400 and closes, and that is what is expected here.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TestServer } from '../../../hosting/index.js';
import { HttpUpgradeFeature, isValidHostValue, type HttpApplication, type HttpExchange } from '../../../protocols/index.js';
import type { RequestHead } from '../../../protocols/http1/index.js';
import { caseBytes, corpusMissing, loadHttp1Corpus, type CorpusCase } from './corpus.js';
import { testRequiring } from '../../support/skip.js';
import { feed, splitAt } from './parser-recorder.js';
import { readAll } from '../../support/streams.js';

interface Echo {
  method: string;
  target: string;
  protocol: string;
  headers: string[];
  body: string;
  rest?: string;
}

const echoApp: HttpApplication = {
  async handle(ex: HttpExchange) {
    const parts: Buffer[] = [];
    try {
      for (let c = await ex.readBody(); c !== null; c = await ex.readBody()) parts.push(c);
    } catch (err) {
      ex.statusCode = (err as { status?: number }).status ?? 500;
      ex.end();
      return;
    }
    const echo: Echo = {
      method: ex.method,
      target: ex.target,
      protocol: ex.protocol,
      headers: [...ex.headers.raw],
      body: Buffer.concat(parts).toString('latin1'),
    };
    const upgrade = ex.feature(HttpUpgradeFeature)!;
    if (!upgrade.isUpgradableRequest) {
      ex.end(JSON.stringify(echo));
      return;
    }
    // Take the connection over (the protocol answers 101, or 200 to a CONNECT) and report every
    // byte that followed the message, as one more response.
    const { transport, head } = upgrade.upgrade();
    const rest: Buffer[] = [head];
    transport.on('data', (d: Buffer) => rest.push(d));
    transport.on('end', () => {
      echo.rest = Buffer.concat(rest).toString('latin1');
      const json = JSON.stringify(echo);
      transport.end(`HTTP/1.1 101 Switching Protocols\r\ncontent-length: ${Buffer.byteLength(json, 'latin1')}\r\n\r\n${json}`, 'latin1');
    });
    transport.resume();
  },
};

interface Response {
  status: number;
  body: string;
}

/** Splits a byte stream of HTTP/1.1 responses (all with content-length) into responses. */
function parseResponses(text: string): Response[] {
  const out: Response[] = [];
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf('\r\n\r\n', at);
    if (end < 0) throw new Error(`truncated response head: ${JSON.stringify(text.slice(at))}`);
    const head = text.slice(at, end);
    const status = Number(head.slice(9, 12));
    const cl = /\r\ncontent-length: (\d+)/i.exec(head);
    const length = cl === null ? 0 : Number(cl[1]);
    out.push({ status, body: text.slice(end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
  return out;
}

interface Expected {
  status: number;
  echo?: Echo;
}

function hostOk(head: RequestHead): boolean {
  return head.host === null ? head.versionMinor === 0 : isValidHostValue(head.host);
}

function echoOf(head: RequestHead, body: Buffer, rest?: string): Echo {
  const echo: Echo = {
    method: head.method,
    target: head.target,
    protocol: head.versionMinor === 1 ? 'HTTP/1.1' : 'HTTP/1.0',
    headers: head.rawHeaders,
    body: body.toString('latin1'),
  };
  if (rest !== undefined) echo.rest = rest;
  return echo;
}

/**
 * What the server must answer, derived from the parser's own reading of the bytes (which
 * conformance.test.ts checks against the corpus): each complete message is echoed (200, or 101
 * for an upgrade with the bytes after it) until one is not keep-alive, lacks a valid Host (400),
 * or the parser rejects the input (its status). A message cut short by the client's FIN after
 * its head gets 400, and so does one cut short inside its head.
 */
function expectedResponses(input: Buffer): Expected[] {
  const r = feed([input]);
  const out: Expected[] = [];
  for (const m of r.recorder.messages) {
    if (!hostOk(m.head)) {
      out.push({ status: 400 });
      return out;
    }
    if (!m.complete) {
      out.push({ status: r.error?.status ?? 400 });
      return out;
    }
    if (m.head.upgrade || m.head.isConnect) {
      out.push({ status: m.head.upgrade ? 101 : 200 });
      out.push({ status: 101, echo: echoOf(m.head, m.body, input.subarray(r.consumed).toString('latin1')) });
      return out;
    }
    out.push({ status: 200, echo: echoOf(m.head, m.body) });
    if (!m.head.keepAlive) return out;
  }
  if (r.error !== null) out.push({ status: r.error.status });
  // A head cut short by the FIN: 400, as node:http and Kestrel answer it.
  else if (!r.parser.isIdle && r.status === 'running') out.push({ status: 400 });
  return out;
}

const corpus = loadHttp1Corpus();

async function run(ts: TestServer, pieces: Buffer[]): Promise<Response[]> {
  const c = ts.connect();
  for (const p of pieces) {
    c.write(p);
    // Separate reads on the server, as separate TCP segments would be.
    await new Promise((r) => setImmediate(r));
  }
  c.end();
  return parseResponses(await readAll(c, 5_000));
}

function check(c: CorpusCase, got: Response[], expected: Expected[], how: string): void {
  assert.is(
    got.map((g) => g.status).join(','),
    expected.map((e) => e.status).join(','),
    `${c.id} (${how}): statuses`,
  );
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (e.echo !== undefined) assert.equal(JSON.parse(got[i].body), e.echo, `${c.id} (${how}): message ${i}`);
  }
}

if (corpus === undefined) testRequiring(test, corpusMissing)('llhttp conformance corpus through the server', () => {});
else {
  let ts: TestServer;
  const tally = { cases: 0, runs: 0, echoed: 0, refused: 0 };
  test.before(async () => {
    ts = await TestServer.start(echoApp, { server: { logLevel: 'silent' } });
  });
  test.after(async () => {
    await ts.stop(500);
    console.log(
      `\n  server-level conformance: ${tally.cases} cases, ${tally.runs} connections; ` +
        `${tally.echoed} messages echoed exactly, ${tally.refused} refusals with the parser's status`,
    );
  });

  for (const c of corpus.cases) {
    test(`${c.id} through the server`, async () => {
      const input = caseBytes(c);
      const expected = expectedResponses(input);
      const runs: [string, Buffer[]][] = [['one write', [input]]];
      for (let at = 1; at < input.length; at++) runs.push([`split at ${at}`, splitAt(input, at)]);
      for (const [how, pieces] of runs) {
        check(c, await run(ts, pieces), expected, how);
        tally.runs++;
      }
      tally.cases++;
      for (const e of expected) {
        if (e.status >= 400) tally.refused++;
        else tally.echoed++;
      }
      // Every error and lenient case must end in a refusal, never in all of its bytes served.
      if (c.expect === 'error' || c.lenient) {
        const last = expected[expected.length - 1];
        const r = feed([input]);
        assert.ok(
          (last !== undefined && last.status >= 400) || r.status === 'closed',
          `${c.id}: an error/lenient case must be refused (got ${expected.map((e) => e.status).join(',')})`,
        );
      }
    });
  }
}

test.run();
