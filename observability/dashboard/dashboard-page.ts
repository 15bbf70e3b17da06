/**
 * The dashboard page: one document, its style and script inline (no CDN, nothing else fetched),
 * so it works on a machine with no internet and under a `default-src 'none'` policy. The script
 * opens `<page path>/ws` on the same origin and redraws on each frame; a sparkline keeps the last
 * 120 requests/s figures.
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>tiercel dashboard</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#0f1419;color:#e6e1cf}
header{display:flex;align-items:baseline;gap:1em;padding:.8em 1.2em;background:#1c2430}
h1{font-size:1.2em;margin:0}#state{color:#f29e74}#state.live{color:#95e6cb}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:1em;padding:1em 1.2em}
section{background:#1c2430;border-radius:6px;padding:.8em 1em}
h2{font-size:.8em;text-transform:uppercase;letter-spacing:.08em;color:#8a9199;margin:0 0 .5em}
.big{font-size:2.2em;font-variant-numeric:tabular-nums}.unit{color:#8a9199;font-size:.9em}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
td{padding:.15em 0}td:last-child{text-align:right}.none{color:#5c6773}
canvas{width:100%;height:60px;display:block;margin-top:.4em}
</style></head><body>
<header><h1>tiercel</h1><span id="state">connecting…</span><span id="time" class="unit"></span></header>
<main>
<section><h2>Requests / s</h2><div class="big" id="rps">–</div><canvas id="spark" width="480" height="60"></canvas>
<table><tr><td>finished</td><td id="total">–</td></tr><tr><td>in flight</td><td id="active">–</td></tr></table></section>
<section><h2>Latency (last tick)</h2><table>
<tr><td>p50</td><td><span id="p50">–</span> <span class="unit">ms</span></td></tr>
<tr><td>p90</td><td><span id="p90">–</span> <span class="unit">ms</span></td></tr>
<tr><td>p99</td><td><span id="p99">–</span> <span class="unit">ms</span></td></tr></table></section>
<section><h2>Event-loop delay</h2><table>
<tr><td>p50</td><td><span id="loop50">–</span> <span class="unit">ms</span></td></tr>
<tr><td>p99</td><td><span id="loop99">–</span> <span class="unit">ms</span></td></tr>
<tr><td>max</td><td><span id="loopmax">–</span> <span class="unit">ms</span></td></tr></table></section>
<section><h2>Connections</h2><table id="connections"></table><h2 style="margin-top:.8em">By protocol</h2><table id="connprotocols"></table></section>
<section><h2>Requests by protocol</h2><table id="protocols"></table><h2 style="margin-top:.8em">By status</h2><table id="statuses"></table></section>
<section><h2>Rejected requests</h2><table id="rejections"></table></section>
<section><h2>TLS handshakes</h2><table id="tls"></table></section>
</main>
<script>
'use strict';
const $ = (id) => document.getElementById(id);
const history = [];
const set = (id, v) => { $(id).textContent = v === null || v === undefined ? '–' : String(v); };
function rows(id, entries) {
  const table = $(id);
  table.replaceChildren();
  if (entries.length === 0) { const td = table.insertRow().insertCell(); td.textContent = 'none'; td.className = 'none'; return; }
  for (const [name, value] of entries) { const tr = table.insertRow(); tr.insertCell().textContent = name; tr.insertCell().textContent = String(value); }
}
function spark() {
  const c = $('spark'), g = c.getContext('2d'), max = Math.max(1, ...history);
  g.clearRect(0, 0, c.width, c.height); g.strokeStyle = '#95e6cb'; g.lineWidth = 2; g.beginPath();
  const last = Math.max(1, history.length - 1);
  history.forEach((v, i) => { const x = (i / last) * c.width, y = c.height - 2 - (v / max) * (c.height - 4); i ? g.lineTo(x, y) : g.moveTo(x, y); });
  g.stroke();
}
function draw(f) {
  set('rps', f.requests.perSecond === null ? null : Math.round(f.requests.perSecond)); set('total', f.requests.total); set('active', f.requests.active);
  if (f.requests.perSecond !== null) history.push(f.requests.perSecond); if (history.length > 120) history.shift(); spark();
  const l = f.latencyMs || {}; set('p50', l.p50); set('p90', l.p90); set('p99', l.p99);
  set('loop50', f.eventLoopDelayMs.p50); set('loop99', f.eventLoopDelayMs.p99); set('loopmax', f.eventLoopDelayMs.max);
  rows('connections', f.connections.map((c) => [c.transport + ' ' + c.endpoint, c.active + ' open' + (c.queued ? ', ' + c.queued + ' queued' : '') + (c.upgraded ? ', ' + c.upgraded + ' upgraded' : '') + (c.rejected ? ', ' + c.rejected + ' refused' : '')]));
  const upgraded = f.connections.reduce((n, c) => n + c.upgraded, 0);
  rows('connprotocols', f.protocols.filter((p) => p.active > 0).map((p) => [p.protocol + (p.tls ? ' over ' + p.tls : ' cleartext'), p.active]).concat(upgraded ? [['WebSocket / upgraded', upgraded]] : []));
  rows('protocols', Object.entries(f.requests.byProtocol));
  rows('statuses', Object.entries(f.requests.byStatusClass));
  rows('rejections', Object.entries(f.rejectedRequests));
  rows('tls', Object.entries(f.tls.handshakes).concat(f.tls.active ? [['in progress', f.tls.active]] : []));
  set('time', new Date(f.time).toLocaleTimeString());
}
function connect() {
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + location.pathname.replace(/\\/$/, '') + '/ws');
  ws.onopen = () => { $('state').textContent = 'live'; $('state').className = 'live'; };
  ws.onmessage = (e) => draw(JSON.parse(e.data));
  // Reconnect after a restart or a drop, without hammering a server that refuses (503, 403).
  ws.onclose = () => { $('state').textContent = 'disconnected, retrying…'; $('state').className = ''; setTimeout(connect, 3000); };
}
connect();
</script></body></html>`;
