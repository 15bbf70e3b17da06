// HTTP/2 row alone: tiercel (demo app, h2c prior knowledge) against bare node:http2 (stream API)
// under h2load, interleaved rounds, server pinned to SERVER_CPU and h2load to CLIENT_CPU. The same
// row `node run.mjs` writes into RESULTS.md (SCENARIOS=h2); this prints its section only.
//
//   cd bench && node h2.mjs            (tiercel already built into ../dist)
//
// Environment (all optional, as for run.mjs):
//   H2_REQUESTS=300000 H2_CLIENTS=10 H2_STREAMS=10 H2_WARMUP_REQUESTS=20000 ROUNDS=5
//   SERVER_CPU=1 CLIENT_CPU=0 START_TIMEOUT=10000 (ms)
import { runStandalone } from './lib/standalone.mjs';

await runStandalone('h2', import.meta.dirname);
