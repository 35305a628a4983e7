import { Agent, request } from 'node:http';
import { randomBytes } from 'node:crypto';

/** What a tagged load run saw. */
export interface TaggedLoadResult {
  readonly sent: number;
  /** Answers by status code; `error` for requests that got no answer at all. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Socket errors, with their messages, at most 20. */
  readonly errors: readonly string[];
  /** X-Request-Id of every POST that was answered 2xx. */
  readonly postsAnswered: readonly string[];
  /** X-Request-Id of every POST sent. */
  readonly postsSent: readonly string[];
  /** Requests not answered 2xx. */
  readonly failed: number;
  /** The first few answers other than 2xx: method, id, status and body. */
  readonly failures: readonly string[];
}

interface TaggedLoad {
  /** Stops sending, waits for the requests in flight, and reports. */
  stop(): Promise<TaggedLoadResult>;
}

/**
 * Keep-alive load from the test process: `connections` loops, each sending
 * `methods` in turn (a GET then a POST), one at a time, every request with its own X-Request-Id, so
 * the replicas' own request logs can show that no POST was handled twice.
 * Only to 127.0.0.1, or to `ownNetwork`, the address of a node on a network the test made;
 * runs until stopped.
 */
function startTaggedLoad(
  url: string,
  { connections = 20, path = '/', methods = ['GET', 'POST'] as ReadonlyArray<'GET' | 'POST'>, ownNetwork = '127.0.0.1' } = {},
): TaggedLoad {
  const host = /^http:\/\/([\d.]+):\d+$/.exec(url)?.[1];
  if (host !== '127.0.0.1' && host !== ownNetwork) throw new Error(`load goes to 127.0.0.1 or the test's own network only, not ${url}`);
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const run = randomBytes(4).toString('hex');
  const byStatus: Record<string, number> = {};
  const errors: string[] = [];
  const postsAnswered: string[] = [];
  const postsSent: string[] = [];
  const failures: string[] = [];
  let sent = 0;
  let stopping = false;

  const one = (method: 'GET' | 'POST', id: string): Promise<void> =>
    new Promise((resolve) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path,
          method,
          agent,
          headers: { 'x-request-id': id, ...(method === 'POST' ? { 'content-type': 'text/plain' } : {}) },
          timeout: 60_000,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk.slice(0, 200)));
          res.once('end', () => {
            const status = String(res.statusCode);
            if (!status.startsWith('2') && failures.length < 10) failures.push(`${method} ${id}: ${status} ${body.trim()}`);
            byStatus[status] = (byStatus[status] ?? 0) + 1;
            if (method === 'POST' && status.startsWith('2')) postsAnswered.push(id);
            resolve();
          });
        },
      );
      req.once('timeout', () => req.destroy(new Error('no answer within 60 s')));
      req.once('error', (err) => {
        byStatus['error'] = (byStatus['error'] ?? 0) + 1;
        if (errors.length < 20) errors.push(`${method} ${id}: ${err.message}`);
        // A refused connection fails at once: pause rather than spin.
        setTimeout(resolve, 50);
      });
      req.end(method === 'POST' ? `order ${id}` : undefined);
    });

  const loop = async (worker: number): Promise<void> => {
    for (let n = 0; !stopping; n++) {
      const method = methods[n % methods.length] as 'GET' | 'POST';
      const id = `${run}-${worker}-${n}`;
      sent++;
      if (method === 'POST') postsSent.push(id);
      await one(method, id);
    }
  };
  const loops = Array.from({ length: connections }, (_, worker) => loop(worker));

  return {
    async stop() {
      stopping = true;
      await Promise.all(loops);
      agent.destroy();
      const ok = Object.entries(byStatus).reduce((n, [status, count]) => (status.startsWith('2') ? n + count : n), 0);
      return { sent, byStatus, errors, postsAnswered, postsSent, failed: sent - ok, failures };
    },
  };
}

/**
 * Runs `body` under tagged load (see startTaggedLoad) and reports what the load saw. The load
 * stops whether or not `body` throws, so a failed step fails the test instead of leaving load
 * running after it.
 */
export async function underLoad(url: string, opts: Parameters<typeof startTaggedLoad>[1], body: () => Promise<void>): Promise<TaggedLoadResult> {
  const load = startTaggedLoad(url, opts);
  let result: TaggedLoadResult;
  try {
    await body();
  } finally {
    result = await load.stop();
  }
  return result;
}
