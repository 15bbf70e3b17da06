// WebSocket echo row alone: tiercel's demo app (`/ws`, from ../dist) against ws on a bare
// node:http server, the load generator (lib/ws-load.mjs) pinned to CLIENT_CPU, the servers to
// SERVER_CPU, interleaved rounds. The same row `node run.mjs` writes into RESULTS.md
// (SCENARIOS=ws); this prints its section only.
//
//   cd bench && node ws.mjs          (build tiercel first: npx tsc -p .. --outDir ../dist)
//
// Environment (all optional, as for run.mjs):
//   WS_SECONDS=5 (default: DURATION) WS_CONNECTIONS=50 WS_BYTES=32 WARMUP=2 ROUNDS=5 SERVER_CPU=1 CLIENT_CPU=0
import { runStandalone } from './lib/standalone.mjs';

await runStandalone('ws', import.meta.dirname);
