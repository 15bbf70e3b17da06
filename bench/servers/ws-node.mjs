// The WebSocket baseline: ws on a bare node:http server, echoing on /ws with the same ws settings
// tiercel's demo uses by default (1 MiB maxPayload, no compression).
// Usage: node servers/ws-node.mjs <port>   (prints "listening" when ready)
import http from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? 3000);

const server = http.createServer((_req, res) => {
  res.writeHead(404, { 'content-length': 0 });
  res.end();
});
const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) => {
  if (req.url !== '/ws') {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
});

server.listen(port, '127.0.0.1', () => console.log('listening'));
