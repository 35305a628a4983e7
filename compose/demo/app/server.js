// The demo replica: answers after a delay, as an app waiting on I/O does, and says
// which replica answered (X-Replica header and the body).
//   DEMO_MODE=async   many requests at once (default)
//   DEMO_MODE=serial  one request at a time, like a single-threaded worker
//   DEMO_DELAY_MS     time per request (default 100); PUT /delay?ms=N changes it at run time
//                     (the bench slows one replica down under load, then lets it recover)
// Also: /fast answers at once; /drop reads the request and closes the connection
// without answering (a replica dying mid-request); GET /stats counts requests
// by X-Request-Id, so tests can tell whether a request reached a replica twice.
//   DEMO_REQUEST_LOG  a directory: each request is appended to <replica>.log there
//                     as "METHOD X-Request-Id" (tests read it after replicas are gone)
// For the interop tests (test/docker/interop.test.ts), answered at once and not counted:
//   /download?mb=N  N MiB (default 1), written no faster than the client reads them
//   /upload         the request body's size in bytes, counted as it streams in
//   /events         server-sent events: 10, one every 200 ms
//   /close          a body delimited by closing the connection (no length, not chunked)
//   DEMO_KEEPALIVE_MS  how long an idle keep-alive connection is kept (Node's default: 5000)
'use strict';
const http = require('node:http');
const os = require('node:os');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const replica = process.env.DEMO_REPLICA_NAME || os.hostname();
const mode = process.env.DEMO_MODE || 'async';
let delayMs = Number(process.env.DEMO_DELAY_MS || 100);
const port = Number(process.env.PORT || 80);
if (mode !== 'async' && mode !== 'serial') {
  console.error(`DEMO_MODE must be async or serial, not ${mode}`);
  process.exit(2);
}

const requestLog = process.env.DEMO_REQUEST_LOG ? path.join(process.env.DEMO_REQUEST_LOG, `${replica}.log`) : '';

const stats = { requests: 0, seen: {} };
let busy = Promise.resolve();
let closing = false;

/** In serial mode each request waits for the one before it. */
/**
 * Now, on the host's clock (a container shares it), to the microsecond: the bench reads it from the
 * log lines themselves, since Docker stamps a line when it reads it, late when the host is busy.
 */
function epochMs() {
  return Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000;
}

function wait(ms) {
  const sleep = () => new Promise((resolve) => setTimeout(resolve, ms));
  if (mode === 'async') return sleep();
  busy = busy.then(sleep);
  return busy;
}

/** `mb` MiB in 64 KiB blocks, each written once the one before has gone out. */
function download(res, mb) {
  const block = Buffer.alloc(64 * 1024, 'compose-lb ');
  let left = mb * 16;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': mb * 1024 * 1024, 'x-replica': replica });
  const more = () => {
    while (left > 0) {
      left--;
      if (!res.write(block)) return res.once('drain', more);
    }
    res.end();
  };
  more();
}

function upload(req, res) {
  let bytes = 0;
  req.on('data', (chunk) => (bytes += chunk.length));
  req.on('end', () => reply(res, 200, `${bytes}\n`));
}

/** The first event at once, then one every 200 ms, each written the moment it is made. */
function events(res) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-replica': replica });
  let sent = 0;
  const send = () => {
    sent++;
    res.write(`id: ${sent}\ndata: event ${sent}\n\n`);
    if (sent < 10) return;
    clearInterval(timer);
    res.end();
  };
  const timer = setInterval(send, 200);
  res.on('close', () => clearInterval(timer));
  send();
}

function untilClose(res) {
  // Node frames every body it can: without both of these headers it can only end this one by closing.
  res.removeHeader('transfer-encoding');
  res.removeHeader('content-length');
  res.writeHead(200, { 'content-type': 'text/plain', 'x-replica': replica });
  res.end(`served by ${replica} until the connection closed\n`);
}

const interop = {
  '/download': (res, url) => download(res, Number(url.searchParams.get('mb') || 1)),
  '/events': events,
  '/close': untilClose,
};

function setDelay(res, ms) {
  const value = Number(ms);
  if (ms === null || !Number.isInteger(value) || value < 0) return reply(res, 400, 'ms= takes a whole number of milliseconds\n');
  delayMs = value;
  console.log(JSON.stringify({ msg: 'delay changed', replica, delayMs }));
  return reply(res, 200, `${delayMs}\n`);
}

function reply(res, status, body) {
  // While shutting down, no connection is kept for another request.
  if (closing) res.setHeader('connection', 'close');
  // X-Request-Path: the path as it arrived here, so a test can see what a balancer forwarded.
  res.writeHead(status, { 'content-type': 'text/plain', 'x-replica': replica, 'x-request-path': res.req.url });
  res.end(body);
}

const server = http.createServer(async (req, res) => {
  if (req.url === '/stats') return reply(res, 200, JSON.stringify({ replica, ...stats }));
  if (req.url === '/health') return reply(res, 200, 'ok\n');
  const url = new URL(req.url, 'http://demo');
  if (url.pathname === '/delay' && req.method === 'PUT') return setDelay(res, url.searchParams.get('ms'));
  if (url.pathname === '/upload') return upload(req, res);
  if (url.pathname in interop) {
    req.resume();
    return interop[url.pathname](res, url);
  }
  stats.requests++;
  // Once: the bench times a new replica's first request from its own log, on the clock of its "listening" line.
  if (stats.requests === 1) console.log(JSON.stringify({ msg: 'first request', replica, at: epochMs() }));
  const id = req.headers['x-request-id'];
  if (id) stats.seen[id] = (stats.seen[id] || 0) + 1;
  // Synchronous: the line must be on disk even if the process is killed right after.
  if (requestLog) fs.appendFileSync(requestLog, `${req.method} ${id || '-'}\n`);
  req.resume();
  if (req.url === '/drop') return req.on('end', () => req.socket.destroy());
  if (req.url !== '/fast') await wait(delayMs);
  reply(res, 200, `served by ${replica}\n`);
});

// WebSocket: the RFC 6455 handshake, then every byte is echoed back (enough to
// show a socket is open through the balancer; frames are not decoded).
server.on('upgrade', (req, socket) => {
  const key = req.headers['sec-websocket-key'];
  if (req.headers.upgrade?.toLowerCase() !== 'websocket' || !key) return socket.destroy();
  const accept = crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\nX-Replica: ${replica}\r\n\r\n`,
  );
  socket.on('error', () => {});
  socket.pipe(socket);
});

if (process.env.DEMO_KEEPALIVE_MS) server.keepAliveTimeout = Number(process.env.DEMO_KEEPALIVE_MS);
server.listen(port, () => console.log(JSON.stringify({ msg: 'listening', replica, port, mode, delayMs, at: epochMs() })));

// A reload request, not a stop: log it and keep serving (compose-lb keeps the
// replica in rotation on `docker kill -s HUP`).
process.on('SIGHUP', () => console.log(JSON.stringify({ msg: 'SIGHUP: nothing to reload', replica })));

// As PID 1 in a container, Node ignores SIGTERM unless told otherwise. Finish the
// requests in flight, then exit: this is what makes `docker stop` graceful.
process.on('SIGTERM', () => {
  console.log(JSON.stringify({ msg: 'SIGTERM: finishing requests in flight', replica }));
  closing = true;
  server.close(() => process.exit(0));
});
