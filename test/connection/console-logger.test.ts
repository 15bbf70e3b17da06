// The built-in console logger: JSON lines a log shipper parses (time, level, category, eventId,
// event, msg, then the fields), .NET-style text, per-category levels, and fields that cannot be
// serialised as they are (a cycle, a bigint, an Error) written anyway.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleLogger, ConsoleLoggerFactory, LOG_EVENTS, LOG_EVENT_INFO, levelFor, type LogDestination } from '../../connection/index.js';
import { repoRoot } from '../support/shared.js';

class Lines implements LogDestination {
  readonly text: string[] = [];
  write(line: string): void {
    this.text.push(line);
  }
  /** Each record parsed: a line that is not one JSON object fails the test. */
  records(): Record<string, unknown>[] {
    return this.text.map((l) => {
      assert.ok(l.endsWith('\n') && !l.slice(0, -1).includes('\n'), `one record per line: ${JSON.stringify(l)}`);
      return JSON.parse(l) as Record<string, unknown>;
    });
  }
}

test('json: one object per line, in the order time, level, category, eventId, event, msg, then the fields', () => {
  const out = new Lines();
  const log = new ConsoleLogger('debug', 'tiercel.connections', { format: 'json', destination: out });
  log.debug({ ...LOG_EVENTS.ConnectionClosed, connectionId: 'c1', reason: 'keep-alive-timeout' }, 'HTTP/1.1 connection done');
  log.info('no fields');
  const [closed, plain] = out.records();
  assert.equal(Object.keys(closed), ['time', 'level', 'category', 'eventId', 'event', 'msg', 'connectionId', 'reason']);
  assert.is(closed.level, 'debug');
  assert.is(closed.category, 'tiercel.connections');
  assert.is(closed.eventId, 2);
  assert.is(closed.event, 'ConnectionClosed');
  assert.is(closed.msg, 'HTTP/1.1 connection done');
  assert.is(closed.reason, 'keep-alive-timeout');
  assert.ok(Math.abs(Date.parse(closed.time as string) - Date.now()) < 60_000, 'an ISO time');
  assert.equal(Object.keys(plain), ['time', 'level', 'category', 'msg']);
});

test('json: a cycle, a bigint, an Error with a code and a throwing getter never cost more than their record\'s fields', () => {
  const out = new Lines();
  const log = new ConsoleLogger('info', 'tiercel.server', { format: 'json', destination: out });
  const cyclic: Record<string, unknown> = { name: 'a' };
  cyclic.self = cyclic;
  const shared = { n: 1 };
  const err = Object.assign(new Error('boom'), { code: 'ERR_X' });
  log.error({ cyclic, big: 12345678901234567890n, err, twice: [shared, shared] }, 'odd fields');
  const hostile = { get bad(): never { throw new Error('getter'); } };
  log.warn({ hostile }, 'a getter that throws');
  const [odd, worst] = out.records();
  assert.equal(odd.cyclic, { name: 'a', self: '[Circular]' });
  assert.is(odd.big, '12345678901234567890');
  const e = odd.err as Record<string, unknown>;
  assert.is(e.type, 'Error');
  assert.is(e.message, 'boom');
  assert.is(e.code, 'ERR_X');
  assert.match(String(e.stack), /^Error: boom\n\s+at /);
  assert.equal(odd.twice, [{ n: 1 }, { n: 1 }], 'the same object twice is not a cycle');
  assert.is(worst.msg, 'a getter that throws');
  assert.is(worst.level, 'warn');
  assert.is(worst.fields, '[unserializable]');
});

test('text: .NET\'s console format, the event id in brackets and the other fields after the message', () => {
  const out = new Lines();
  const log = new ConsoleLogger('debug', 'tiercel.bad-requests', { destination: out });
  log.debug({ ...LOG_EVENTS.RequestRejected, connectionId: 'c1', reason: 'bare-lf', status: 400 }, 'Bad request');
  log.info(LOG_EVENTS.Listening, 'Now listening on: http://127.0.0.1:5000');
  log.warn('plain');
  assert.equal(out.text, [
    'debug: tiercel.bad-requests[10]: Bad request {"connectionId":"c1","reason":"bare-lf","status":400}\n',
    'info: tiercel.bad-requests[21]: Now listening on: http://127.0.0.1:5000\n',
    'warn: tiercel.bad-requests: plain\n',
  ]);
});

test('per-category levels: the longest dotted prefix named wins, then default, then info', () => {
  const levels = { default: 'warn', tiercel: 'error', 'tiercel.bad-requests': 'debug' } as const;
  assert.is(levelFor(levels, 'tiercel.bad-requests'), 'debug');
  assert.is(levelFor(levels, 'tiercel.http2'), 'error');
  assert.is(levelFor(levels, 'app.orders'), 'warn');
  assert.is(levelFor({ 'tiercel.tls': 'debug' }, 'tiercel.server'), 'info');
  assert.is(levelFor('silent', 'tiercel.server'), 'silent');

  const out = new Lines();
  const loggers = new ConsoleLoggerFactory({ default: 'info', 'tiercel.bad-requests': 'debug' }, { format: 'json', destination: out });
  loggers.create('tiercel.bad-requests').debug({ ...LOG_EVENTS.RequestRejected }, 'written');
  loggers.create('tiercel.connections').debug({ ...LOG_EVENTS.ConnectionAccepted }, 'below its level');
  loggers.create('tiercel.connections').info('at its level');
  assert.equal(out.records().map((r) => r.msg), ['written', 'at its level']);
});

test('every event has a unique id and docs/logging.md lists each with its id, category and level', () => {
  const docs = readFileSync(join(repoRoot(), 'docs', 'logging.md'), 'utf8');
  const ids = new Set<number>();
  for (const [name, info] of Object.entries(LOG_EVENT_INFO)) {
    assert.not.ok(ids.has(info.id), `${name}: id ${info.id} is used twice`);
    ids.add(info.id);
    const row = new RegExp(`^\\| ${info.id} \\| \`${name}\` \\| \`${info.category.replace('.', '\\.')}\` \\| ${info.level} \\|`, 'm');
    assert.match(docs, row, `docs/logging.md has no row for ${name}`);
    // A client's fault is never an error (the bad-requests and connections categories are all debug).
    if (info.category === 'tiercel.bad-requests' || info.category === 'tiercel.connections') assert.is(info.level, 'debug', name);
  }
});

test.run();
