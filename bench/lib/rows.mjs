// One row (scenario) of the benchmark, whatever its load generator: wrk for HTTP/1.1, h2load for
// HTTP/2, lib/ws-load.mjs for the WebSocket echo. All three go through runInterleaved.
import { runH2load } from './h2load.mjs';
import { runInterleaved } from './rounds.mjs';
import { checkCompressed, checkH2Plaintext, checkRoute, checkWsEcho } from './sanity.mjs';
import { runWsLoad } from './ws-client.mjs';
import { runWrk } from './wrk.mjs';

/** Seconds each WebSocket round runs unmeasured (connections open, the fresh client warms up) before counting. */
export const WS_RAMP_SECONDS = 1;

const p99Text = (result) => ` p99 ${Number.isFinite(result.latency.p99) ? `${result.latency.p99.toFixed(2)} ms` : 'n/a'}`;
const meanText = (result) => ` mean ${Number.isFinite(result.latency.mean) ? `${result.latency.mean.toFixed(2)} ms` : 'n/a'}`;

/**
 * The servers a row compares: the wrk rows use SERVERS (the ceiling only where it applies), unless
 * they bring their own set (compressed, routes, metrics); h2/ws their own pair.
 */
export function rowServers(scenario, servers) {
  if (scenario.kind !== 'wrk' || scenario.servers !== undefined) return scenario.servers;
  return servers.filter((s) => scenario.ceiling || !s.plaintextOnly);
}

/** Runs one row; resolves with Map server name → { rounds, memory, failure }. */
export function runRow(scenario, servers, settings, benchDir) {
  const common = { id: scenario.id, specs: rowServers(scenario, servers), settings, benchDir };
  if (scenario.kind === 'h2') {
    const load = (server, requests, onStart) =>
      runH2load({
        url: `http://127.0.0.1:${server.port}/plaintext`,
        requests,
        clients: settings.h2Clients,
        streams: settings.h2Streams,
        cpu: settings.clientCpu,
        cwd: benchDir,
        onStart,
      });
    return runInterleaved({
      ...common,
      unit: 'req/s',
      check: (server) => checkH2Plaintext(server.port),
      warmup: settings.h2WarmupRequests > 0 && ((server) => load(server, settings.h2WarmupRequests)),
      measure: async (server, onStart) => {
        const result = await load(server, settings.h2Requests, onStart);
        return { ...result, served: result.requests };
      },
      describe: meanText,
    });
  }
  if (scenario.kind === 'ws') {
    const load = (server, seconds, ramp, onStart) =>
      runWsLoad({
        url: `ws://127.0.0.1:${server.port}/ws`,
        connections: settings.wsConnections,
        bytes: settings.wsBytes,
        seconds,
        warmup: ramp,
        cpu: settings.clientCpu,
        cwd: benchDir,
        onStart,
      });
    return runInterleaved({
      ...common,
      unit: 'messages/s',
      check: (server) => checkWsEcho(server.port, settings.wsBytes),
      warmup: settings.warmup > 0 && ((server) => load(server, settings.warmup, 0)),
      measure: (server, onStart) => load(server, settings.wsSeconds, WS_RAMP_SECONDS, onStart),
    });
  }
  const wrk = (server, seconds, onStart) =>
    runWrk({
      onStart,
      url: `http://127.0.0.1:${server.port}${scenario.path}`,
      seconds,
      connections: settings.connections,
      script: scenario.script,
      scriptArgs: scenario.scriptArgs,
      headers: scenario.headers,
      cpu: settings.clientCpu,
      cwd: benchDir,
    });
  return runInterleaved({
    ...common,
    unit: 'req/s',
    freshProcess: scenario.freshProcess === true,
    check: (server) => (scenario.route === 'big-json' ? checkCompressed(server.port) : checkRoute(server.port, scenario.route)),
    warmup: settings.warmup > 0 && ((server) => wrk(server, settings.warmup)),
    measure: async (server, onStart) => {
      const result = await wrk(server, settings.duration, onStart);
      return { ...result, rate: result.rps, served: result.requests };
    },
    describe: p99Text,
  });
}
