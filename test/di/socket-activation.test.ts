// The socket activation variables as sd_listen_fds_with_names(3) reads them (the table), the
// environment that removes them from the process once read, and the fd transport the composition
// root fills from them, refusing a descriptor that was not passed. The sockets themselves are
// served in test/hosting/socket-activation.test.ts, passed by systemd-socket-activate.
import 'reflect-metadata';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FdNotPassedError, parseEndpoint } from '../../connection/index.js';
import { ENVIRONMENT, SocketActivationError, readEnvironment, resolve } from '../../di/index.js';
import { readListenFds } from '../../di/socket-activation.js';
import { FdTransport, LISTEN_FDS } from '../../transports/index.js';
import { appContainer } from './support.js';

const PID = 4242;

const cases: [string, Record<string, string>, [number, string][]][] = [
  ['no LISTEN_PID: not activated', { LISTEN_FDS: '2' }, []],
  ['an empty LISTEN_PID counts as unset', { LISTEN_PID: '', LISTEN_FDS: '1' }, []],
  ["another process's LISTEN_PID (leaked from a parent): not ours", { LISTEN_PID: '4243', LISTEN_FDS: '1' }, []],
  ['one descriptor, unnamed: fd 3, "unknown" as systemd says', { LISTEN_PID: `${PID}`, LISTEN_FDS: '1' }, [[3, 'unknown']]],
  ['named descriptors from 3 on, in order', { LISTEN_PID: `${PID}`, LISTEN_FDS: '3', LISTEN_FDNAMES: 'web:web:admin' }, [[3, 'web'], [4, 'web'], [5, 'admin']]],
  ['LISTEN_FDS=0: activated with nothing', { LISTEN_PID: `${PID}`, LISTEN_FDS: '0' }, []],
];
for (const [name, env, expected] of cases) {
  test(`readListenFds: ${name}`, () => {
    assert.equal(readListenFds(env, PID), expected.map(([fd, n]) => ({ fd, name: n })));
  });
}

const malformed: [string, Record<string, string>, string][] = [
  ['LISTEN_PID not a number', { LISTEN_PID: '12x', LISTEN_FDS: '1' }, 'LISTEN_PID'],
  ['LISTEN_FDS missing', { LISTEN_PID: `${PID}` }, 'LISTEN_FDS'],
  ['LISTEN_FDS negative', { LISTEN_PID: `${PID}`, LISTEN_FDS: '-1' }, 'LISTEN_FDS'],
  ['LISTEN_FDNAMES with fewer names than descriptors', { LISTEN_PID: `${PID}`, LISTEN_FDS: '2', LISTEN_FDNAMES: 'web' }, '1 names for 2'],
];
for (const [name, env, fragment] of malformed) {
  test(`readListenFds refuses ${name} with ERR_TIERCEL_SOCKET_ACTIVATION`, () => {
    const err = (() => {
      try {
        readListenFds(env, PID);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.instance(err, SocketActivationError);
    assert.is((err as SocketActivationError).code, 'ERR_TIERCEL_SOCKET_ACTIVATION');
    assert.ok((err as Error).message.includes(fragment), (err as Error).message);
  });
}

test("reading the process's environment takes the sockets and unsets the variables (a child never inherits the claim); a given env object is left alone", () => {
  const given = { LISTEN_PID: String(process.pid), LISTEN_FDS: '1', LISTEN_FDNAMES: 'web' };
  assert.equal(readEnvironment(given).listenFds, [{ fd: 3, name: 'web' }]);
  assert.equal(Object.keys(given), ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES']);

  Object.assign(process.env, given);
  try {
    assert.equal(readEnvironment().listenFds, [{ fd: 3, name: 'web' }]);
    assert.equal([process.env.LISTEN_PID, process.env.LISTEN_FDS, process.env.LISTEN_FDNAMES], [undefined, undefined, undefined]);
    // A second server in the process finds nothing left: the sockets are the first one's.
    assert.equal(readEnvironment().listenFds, []);
  } finally {
    for (const k of Object.keys(given)) delete process.env[k];
  }
});

test('addTiercel hands the passed descriptors to the fd transport, which refuses any other (ERR_TIERCEL_FD_NOT_PASSED) before touching it', async () => {
  const c = appContainer({ env: { LISTEN_PID: String(process.pid), LISTEN_FDS: '2', LISTEN_FDNAMES: 'web:admin' } });
  assert.equal(resolve(c, ENVIRONMENT).listenFds, [{ fd: 3, name: 'web' }, { fd: 4, name: 'admin' }]);
  assert.equal(resolve(c, LISTEN_FDS), resolve(c, ENVIRONMENT).listenFds);
  const transport = resolve(c, FdTransport);
  assert.ok(transport.canBind(parseEndpoint('http://fd:web')));
  for (const [url, fragment] of [
    ['http://fd:5', "not passed (passed: 3 'web', 4 'admin')"],
    ['http://fd:api', 'not passed'],
  ] as const) {
    const err = await transport.bind(parseEndpoint(url)).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(err, FdNotPassedError, url);
    assert.is((err as FdNotPassedError).code, 'ERR_TIERCEL_FD_NOT_PASSED');
    assert.ok((err as Error).message.includes(fragment), (err as Error).message);
  }
  const both = await transport.bind({ kind: 'fd', fd: 3, name: 'web' }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  assert.is((both as { code?: string }).code, 'ERR_TIERCEL_INVALID_ENDPOINT');
  assert.is(transport.canBind(parseEndpoint('http://127.0.0.1:1')), false);
  const tcp = await transport.bind(parseEndpoint('http://127.0.0.1:1')).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  assert.is((tcp as { code?: string }).code, 'ERR_TIERCEL_INVALID_ENDPOINT');
  const none = await new FdTransport().bind(parseEndpoint('http://fd:3')).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  assert.match(none!.message, /no sockets were passed to this process/);
});

test.run();
