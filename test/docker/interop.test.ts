import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendRaw } from '../unit/support/raw-http';
import { BalancerHandle } from './support/balancer';
import { ComposeProject, FIXTURES, containerIp, fixtureEnv } from './support/compose';
import { CLOSE_WAIT, containerPid, rssKb, tcpConnections, waitForStalledReader, whilePaused, whileStopped } from './support/container-probe';
import { describeDocker } from './support/env';
import { run } from './support/exec';
import { BODY_BLOCK, bodyHash, exchange, readEvents, type Answer, type Send } from './support/http-client';
import { waitFor } from './support/wait';
import { openWebSocket } from './support/websocket';

/**
 * Issue 9, the interop matrix: real third-party HTTP servers as replicas, each behind a balancer of
 * its own (test/fixtures/docker/interop.yaml), and every case compared with the same request sent to
 * the replica directly: compose-lb must not break a server that works without it. What a server
 * cannot do is left out of its row, said in SERVERS; what it does wrong on its own shows up the same
 * way directly and through the balancer, and is asserted as its behaviour.
 *
 * Both Compose flavours run the whole matrix: about two minutes each.
 */

jest.setTimeout(180_000);

const MiB = 1024 * 1024;
const UPLOAD_BYTES = 10 * MiB;
const DOWNLOAD_BYTES = 50 * MiB;
/** Small enough for the servers that discard an unread body one byte per read (python's http.server). */
const CHUNKED_BYTES = 256 * 1024;
const EXPECT_BYTES = MiB;

interface Server {
  readonly service: 'node' | 'busybox' | 'python' | 'nginx' | 'lighttpd';
  /** A small file (the demo app: a small answer). */
  readonly small: string;
  /** 50 MiB. */
  readonly big: string;
  /** Where a body goes; `id` makes the path unique where the server keeps what it gets. */
  readonly upload: { readonly method: 'POST' | 'PUT'; readonly path: (id: string) => string };
  /** nginx keeps an upload as a file: the test reads it back to check every byte. */
  readonly keepsUploads: boolean;
  /** The server reads a chunked request body (busybox httpd and python's http.server do not). */
  readonly chunkedUploads: boolean;
  /** Server-sent events, 10, one every 200 ms (nginx makes none on its own). */
  readonly events: string | undefined;
  /** A response delimited by closing the connection (nginx and lighttpd frame every body they send). */
  readonly untilClose: string | undefined;
  /**
   * How idle keep-alive connections end: `hinted`, closed by the replica after the `Keep-Alive:
   * timeout` it announces (Node); `unhinted`, closed without warning (nginx, lighttpd); `never`
   * kept (busybox httpd and python's http.server close every connection after one response).
   */
  readonly keepAlive: 'hinted' | 'unhinted' | 'never';
  readonly webSocket: boolean;
  /** Its header lines end in a bare LF (busybox CGIs): Node's client reads them only leniently. */
  readonly bareLf: boolean;
  /** It sends a body after the head of an answer to HEAD (busybox httpd, for files). */
  readonly bodyOnHead: boolean;
}

const cgiUpload = { method: 'POST', path: () => '/cgi-bin/upload' } as const;

/** What the third-party servers share: their files, and what none of them does. */
const THIRD_PARTY = {
  small: '/index.html',
  big: '/big.bin',
  keepsUploads: false,
  webSocket: false,
  bareLf: false,
  bodyOnHead: false,
} as const;

const SERVERS: readonly Server[] = [
  {
    service: 'node',
    small: '/fast',
    big: `/download?mb=${DOWNLOAD_BYTES / MiB}`,
    upload: { method: 'POST', path: () => '/upload' },
    keepsUploads: false,
    chunkedUploads: true,
    events: '/events',
    untilClose: '/close',
    keepAlive: 'hinted',
    webSocket: true,
    bareLf: false,
    bodyOnHead: false,
  },
  {
    ...THIRD_PARTY,
    service: 'busybox',
    upload: cgiUpload,
    chunkedUploads: false,
    events: '/cgi-bin/events',
    untilClose: '/cgi-bin/hello',
    keepAlive: 'never',
    bareLf: true,
    bodyOnHead: true,
  },
  {
    ...THIRD_PARTY,
    service: 'python',
    upload: cgiUpload,
    chunkedUploads: false,
    events: '/cgi-bin/events',
    // Any CGI answer: http.server relays CGI output as it comes and ends it by closing.
    untilClose: '/cgi-bin/upload',
    keepAlive: 'never',
  },
  {
    ...THIRD_PARTY,
    service: 'nginx',
    upload: { method: 'PUT', path: (id) => `/upload/${id}` },
    keepsUploads: true,
    chunkedUploads: true,
    events: undefined,
    untilClose: undefined,
    keepAlive: 'unhinted',
  },
  {
    ...THIRD_PARTY,
    service: 'lighttpd',
    upload: cgiUpload,
    chunkedUploads: true,
    events: '/cgi-bin/events',
    untilClose: undefined,
    keepAlive: 'unhinted',
  },
];

const IDLE_CLOSE_RETRY = 'kept-alive connection closed by the replica; retrying on a new one';

/** The status line and key headers of a raw response, and the bytes that came after its head. */
function splitRaw(raw: string): { head: string[]; after: string } {
  const end = /\r?\n\r?\n/.exec(raw);
  if (end === null) throw new Error(`no response head in ${JSON.stringify(raw.slice(0, 200))}`);
  const lines = raw.slice(0, end.index).split(/\r?\n/);
  const keep = /^(content-type|content-length|last-modified|etag):/i;
  const head = [lines[0] ?? '', ...lines.slice(1).filter((l) => keep.test(l)).map((l) => l.toLowerCase())];
  return { head, after: raw.slice(end.index + end[0].length) };
}

/** An upload with curl, a real client: `Expect: 100-continue`, and curl's one-second wait for the 100. */
async function curlExpect(url: string, method: string, file: string): Promise<{ status: string; body: string; continued: boolean }> {
  const { stdout, stderr } = await run('curl', ['-sS', '-v', '-X', method, '-H', 'Expect: 100-continue', '--data-binary', `@${file}`, url]);
  const statuses = [...stderr.matchAll(/^< HTTP\/1\.[01] (\d{3})/gm)].map((m) => m[1]);
  return { status: statuses[statuses.length - 1] ?? '', body: stdout, continued: statuses.includes('100') };
}

/** A balancer log message's count so far. */
async function logged(lb: BalancerHandle, message: string): Promise<number> {
  const { stdout, stderr } = await run('docker', ['logs', lb.containerId]);
  return `${stdout}${stderr}`.split(message).length - 1;
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MiB`;

describeDocker('interop: third-party HTTP servers behind compose-lb', (flavor) => {
  const project = new ComposeProject(flavor, join(FIXTURES, 'interop.yaml'), fixtureEnv());
  const expectFile = join(tmpdir(), `clb-interop-${randomBytes(4).toString('hex')}.bin`);
  /** Figures for people (delays, memory), printed once at the end; nothing asserts on them. */
  const figures: string[] = [];

  beforeAll(async () => {
    await writeFile(expectFile, Buffer.concat(Array.from({ length: EXPECT_BYTES / BODY_BLOCK.length }, () => BODY_BLOCK)));
    await project.up();
  });

  afterAll(async () => {
    await rm(expectFile, { force: true });
    if (figures.length > 0) console.log(`interop figures [compose ${flavor}]\n${figures.join('\n')}`);
    await project.down();
  });

  describe.each(SERVERS.map((s) => [s.service, s] as const))('%s', (service, server) => {
    let lb: BalancerHandle;
    let replicaId: string;
    let replicaIp: string;
    /** The replica straight, on the project's network. */
    let direct: string;
    /** The same request straight to the replica, then through the balancer. */
    const both = async (send: Send): Promise<{ straight: Answer; through: Answer }> => {
      const straight = await exchange(direct, { ...send, lenient: server.bareLf });
      return { straight, through: await exchange(lb.url, send) };
    };

    beforeAll(async () => {
      lb = await BalancerHandle.of(project, `${service}-lb`);
      await lb.waitForReady(1);
      replicaId = await project.oneContainer(service);
      replicaIp = await containerIp(replicaId);
      direct = `http://${replicaIp}`;
    });

    it('GET: the same answer', async () => {
      const { straight, through } = await both({ path: server.small });
      expect(straight.status).toBe(200);
      expect(through).toEqual(straight);
    });

    it('HEAD: the same head, and no body after it', async () => {
      const head = `HEAD ${server.small} HTTP/1.1\r\nHost: interop\r\nConnection: close\r\n\r\n`;
      const straight = splitRaw(await sendRaw(80, head, replicaIp));
      const through = splitRaw(await sendRaw(Number(new URL(lb.url).port), head));
      expect(through.head.slice(1)).toEqual(straight.head.slice(1));
      expect(through.head[0]).toMatch(/^HTTP\/1\.1 200 /);
      expect(through.after).toBe('');
      // busybox httpd sends its files' bodies after a HEAD answer too (RFC 9110 section 9.3.2 says no body).
      expect(straight.after).toBe(server.bodyOnHead ? `static file from busybox httpd\n` : '');
    });

    it(`${server.upload.method} of 10 MiB: the same answer, streamed (the balancer stops reading while the replica does)`, async () => {
      const id = randomBytes(4).toString('hex');
      const send = { method: server.upload.method, bodyBytes: UPLOAD_BYTES };
      const straight = await exchange(direct, { ...send, path: server.upload.path(`${id}-direct`), lenient: server.bareLf });
      const lbPid = await containerPid(lb.containerId);
      const before = await rssKb(lb.containerId);
      // With the replica stopped, a balancer that streams fills the replica's socket, then stops reading
      // the client; one that buffered would read all 10 MiB. (The balancer's own address: no
      // docker-proxy buffers between the client and it.)
      const { pending, stalled } = await whileStopped(replicaId, async () => {
        const upload = exchange(lb.networkUrl, { ...send, path: server.upload.path(`${id}-lb`) });
        upload.catch(() => {});
        await waitForStalledReader(lbPid, 'the balancer to stop reading the client', (c) => c.local.endsWith(':80'));
        return { pending: upload, stalled: await rssKb(lb.containerId) };
      });
      const through = await pending;
      const after = await rssKb(lb.containerId);
      figures.push(`${service} upload 10 MiB: balancer RSS ${mb(before)} before, ${mb(stalled)} stalled, ${mb(after)} after`);
      expect(stalled - before).toBeLessThan(UPLOAD_BYTES / 1024 / 2);
      expect(through).toEqual(straight);
      if (server.keepsUploads) {
        expect(straight.status).toBe(201);
        const kept = await exchange(lb.url, { path: server.upload.path(`${id}-lb`) });
        expect({ bytes: kept.bytes, sha256: kept.sha256 }).toEqual({ bytes: UPLOAD_BYTES, sha256: bodyHash(UPLOAD_BYTES) });
      } else {
        expect(straight.text).toBe(`${UPLOAD_BYTES}\n`);
      }
    });

    it(server.chunkedUploads ? 'chunked upload: the same answer' : 'chunked upload: not read by the server, directly or not', async () => {
      const id = randomBytes(4).toString('hex');
      const send = { method: server.upload.method, bodyBytes: CHUNKED_BYTES, chunked: true };
      const straight = exchange(direct, { ...send, path: server.upload.path(`${id}-direct`), lenient: server.bareLf });
      if (server.chunkedUploads) {
        const answer = await straight;
        expect(await exchange(lb.url, { ...send, path: server.upload.path(`${id}-lb`) })).toEqual(answer);
        expect([200, 201]).toContain(answer.status);
        return;
      }
      // Its CGI gets no body (busybox passes on whatever bytes came with the head), and the server closes
      // with the body unread, which may reset the connection under its own answer: the server's doing.
      const outcome = (answer: Promise<Answer>): Promise<string> =>
        answer.then((a) => `${a.status} ${a.text.trim()}`, (err: Error) => `no answer (${err.message})`);
      const outcomes = [await outcome(straight), await outcome(exchange(lb.url, { ...send, path: server.upload.path(`${id}-lb`) }))];
      figures.push(`${service} chunked upload of ${CHUNKED_BYTES} bytes: direct ${outcomes[0]}; through ${outcomes[1]}`);
      expect(outcomes.filter((o) => o.endsWith(` ${CHUNKED_BYTES}`))).toEqual([]);
    });

    it('Expect: 100-continue from curl: the same final answer', async () => {
      const id = randomBytes(4).toString('hex');
      const straight = await curlExpect(`${direct}${server.upload.path(`${id}-direct`)}`, server.upload.method, expectFile);
      const through = await curlExpect(`${lb.url}${server.upload.path(`${id}-lb`)}`, server.upload.method, expectFile);
      figures.push(`${service} Expect: 100 Continue ${straight.continued ? 'sent' : 'not sent'} by the server, sent by the balancer`);
      expect({ status: through.status, body: through.body }).toEqual({ status: straight.status, body: straight.body });
      // Node's server in the balancer answers the 100 itself; the replica gets the body without asking.
      expect(through.continued).toBe(true);
    });

    it('50 MiB download: the same bytes, streamed (the balancer stops reading the replica while the client does)', async () => {
      const startedStraight = performance.now();
      const straight = await exchange(direct, { path: server.big, lenient: server.bareLf });
      const straightMs = performance.now() - startedStraight;
      const lbPid = await containerPid(lb.containerId);
      const before = await rssKb(lb.containerId);
      let stalled = 0;
      const startedThrough = performance.now();
      const through = await exchange(lb.networkUrl, {
        path: server.big,
        // The client reads nothing until the balancer has stopped reading the replica.
        onResponse: async () => {
          await waitForStalledReader(lbPid, 'the balancer to stop reading the replica', (c) => c.remote === `${replicaIp}:80`);
          stalled = await rssKb(lb.containerId);
        },
      });
      const throughMs = performance.now() - startedThrough;
      const after = await rssKb(lb.containerId);
      figures.push(
        `${service} download 50 MiB: ${Math.round(straightMs)} ms direct; balancer RSS ${mb(before)} before, ` +
          `${mb(stalled)} stalled, ${mb(after)} after (${Math.round(throughMs)} ms, the stall included)`,
      );
      expect(stalled - before).toBeLessThan(DOWNLOAD_BYTES / 1024 / 2);
      expect(straight.bytes).toBe(DOWNLOAD_BYTES);
      expect(through).toEqual(straight);
    });

    const events = server.events;
    if (events !== undefined) {
      it('server-sent events: each reaches the client as it is sent', async () => {
        // Read side by side: each stream's times count from its own start.
        const [straight, through] = await Promise.all([readEvents(`${direct}${events}`, server.bareLf), readEvents(`${lb.url}${events}`, false)]);
        expect({ status: through.status, type: through.contentType, events: through.events }).toEqual({
          status: straight.status,
          type: straight.contentType,
          events: straight.events,
        });
        expect(through.events).toHaveLength(10);
        // A balancer that held the stream back would deliver the events together, at its end.
        expect(through.arrivals[0]).toBeLessThan(through.endedAt / 2);
        expect(new Set(through.arrivals.map(Math.round)).size).toBeGreaterThan(through.events.length / 2);
        const delays = through.arrivals.map((at, i) => at - (straight.arrivals[i] ?? 0));
        figures.push(
          `${service} SSE: first event ${Math.round(straight.arrivals[0] ?? 0)} ms direct, ${Math.round(through.arrivals[0] ?? 0)} ms ` +
            `through; per event, through minus direct: mean ${mean(delays).toFixed(1)} ms, max ${Math.max(...delays).toFixed(1)} ms`,
        );
      });
    }

    const untilClose = server.untilClose;
    if (untilClose !== undefined) {
      it('a response the replica ends by closing the connection: the same answer', async () => {
        const { straight, through } = await both({ path: untilClose });
        expect(straight.status).toBe(200);
        expect(through).toEqual(straight);
      });
    }

    if (server.keepAlive !== 'never') {
      /**
       * The replica closes an idle kept-alive connection just as the balancer sends a request on it:
       * the balancer is frozen with the request waiting in its socket, until the replica has closed;
       * thawed, it reads the request before the close.
       */
      const sendAsReplicaCloses = async (send: Send): Promise<Answer> => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        try {
          // Leaves a kept-alive connection to the replica in the balancer's pool.
          await exchange(lb.url, { path: server.small, agent });
          const lbPid = await containerPid(lb.containerId);
          // Wrapped: an async function that returned the pending answer itself would wait for it, frozen.
          const { answer } = await whilePaused(lb.containerId, async () => {
            const sent = { answer: exchange(lb.url, { ...send, agent }) };
            sent.answer.catch(() => {});
            await waitFor('the replica to close the idle connection', async () =>
              (await tcpConnections(lbPid)).some((c) => c.remote === `${replicaIp}:80` && c.state === CLOSE_WAIT),
            );
            return sent;
          });
          return await answer;
        } finally {
          agent.destroy();
        }
      };

      it(
        server.keepAlive === 'hinted'
          ? 'GET as the replica closes an idle connection: never sent on it (retired before the hinted timeout)'
          : 'GET as the replica closes an idle connection: sent again, to the same replica, on a new connection',
        async () => {
          const straight = await exchange(direct, { path: server.small });
          const retriesBefore = await logged(lb, IDLE_CLOSE_RETRY);
          const through = await sendAsReplicaCloses({ path: server.small });
          expect(through).toEqual(straight);
          expect((await logged(lb, IDLE_CLOSE_RETRY)) - retriesBefore).toBe(server.keepAlive === 'hinted' ? 0 : 1);
          expect(await logged(lb, 'no replica is ready')).toBe(0);
        },
      );

      it(`${server.upload.method} as the replica closes an idle connection: sent on a new connection, once`, async () => {
        // upstream-failure.ts: a request that could not be sent again never goes on a kept-alive connection.
        const id = randomBytes(4).toString('hex');
        const send = { method: server.upload.method, bodyBytes: 1024 };
        const straight = await exchange(direct, { ...send, path: server.upload.path(`${id}-direct`) });
        const failuresBefore = await logged(lb, 'replica failed');
        const through = await sendAsReplicaCloses({ ...send, path: server.upload.path(`${id}-lb`) });
        expect(through).toEqual(straight);
        expect((await logged(lb, 'replica failed')) - failuresBefore).toBe(0);
      });
    }

    if (server.webSocket) {
      it('WebSocket: the same handshake, and bytes echoed', async () => {
        const straight = await openWebSocket(80, replicaIp);
        const through = await openWebSocket(Number(new URL(lb.url).port));
        try {
          const accept = (head: string): string | undefined => /^Sec-WebSocket-Accept: (\S+)/im.exec(head)?.[1];
          expect(accept(through.head)).toBe(accept(straight.head));
          expect(through.replica).toBe(straight.replica);
          const echoed = new Promise<string>((resolve) => through.socket.once('data', (d: Buffer) => resolve(d.toString())));
          through.socket.write('ping');
          expect(await echoed).toBe('ping');
        } finally {
          straight.socket.destroy();
          through.socket.destroy();
        }
      });
    }
  });
});
