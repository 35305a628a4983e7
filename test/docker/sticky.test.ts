import { connect } from 'node:net';
import { join } from 'node:path';
import { BalancerHandle } from './support/balancer';
import { ComposeProject, FIXTURES, fixtureEnv } from './support/compose';
import { describeDocker } from './support/env';
import { run } from './support/exec';

jest.setTimeout(180_000);

/** One request with a cookie (or none): status, the replica that answered, and a cookie it set. */
async function ask(url: string, cookie: string | undefined): Promise<{ status: number; replica: string; setCookie: string }> {
  const res = await fetch(url, cookie === undefined ? {} : { headers: { cookie } });
  await res.text();
  const setCookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { status: res.status, replica: res.headers.get('x-replica') ?? '', setCookie };
}

/** The replica that accepts a WebSocket opened with this cookie. */
function webSocketReplica(port: number, cookie: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: demo\r\nCookie: ${cookie}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
    );
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.destroy();
      if (!head.startsWith('HTTP/1.1 101')) reject(new Error(head));
      else resolve(/X-Replica: (\S+)/i.exec(head)?.[1] ?? '');
    });
    socket.on('error', reject);
  });
}

describeDocker('sticky sessions across a scale-down of the pinned replica', (flavor) => {
  const project = new ComposeProject(flavor, join(FIXTURES, 'sticky.yaml'), fixtureEnv());

  afterAll(async () => {
    await project.down();
  });

  it('keeps a client on its replica, WebSockets too, and moves it with no error when that replica goes', async () => {
    await project.up({ web: 3 });
    const lb = await BalancerHandle.of(project);
    await lb.waitForReady(3);

    const first = await ask(lb.url, undefined);
    expect(first.setCookie).toMatch(/^clb-web=/);
    const cookie = first.setCookie;
    const pinned = first.replica;
    for (let i = 0; i < 10; i++) expect(await ask(lb.url, cookie)).toEqual({ status: 200, replica: pinned, setCookie: '' });
    expect(await webSocketReplica(Number(new URL(lb.url).port), cookie)).toBe(pinned);

    // Requests keep coming while the pinned replica is stopped and removed, as a scale-down does.
    const [pinnedId] = (await project.containerIds('web')).filter((id) => id.startsWith(pinned));
    const answers: Array<Awaited<ReturnType<typeof ask>>> = [];
    let stopping = true;
    const client = (async () => {
      while (stopping) answers.push(await ask(lb.url, cookie));
    })();
    await run('docker', ['stop', pinnedId ?? '']);
    await run('docker', ['rm', pinnedId ?? '']);
    await lb.waitForReady(2);
    answers.push(await ask(lb.url, cookie));
    stopping = false;
    await client;

    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const moved = answers.filter((a) => a.replica !== pinned);
    expect(moved.length).toBeGreaterThan(0);
    // Each answer from elsewhere re-sets the cookie; the new one then holds.
    expect(moved.every((a) => a.setCookie.startsWith('clb-web=') && a.setCookie !== cookie)).toBe(true);
    const next = moved[moved.length - 1] as Awaited<ReturnType<typeof ask>>;
    for (let i = 0; i < 5; i++) expect(await ask(lb.url, next.setCookie)).toEqual({ status: 200, replica: next.replica, setCookie: '' });
  });
});
