import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { BalancerHandle } from './support/balancer';
import { ComposeProject, FIXTURES, fixtureEnv } from './support/compose';
import { describeDocker } from './support/env';
import { underLoad } from './support/tagged-load';

jest.setTimeout(180_000);

/** Debian's Chromium; its own browser downloads are not reachable from here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The README's picture is refreshed only when asked, so a test run leaves the work tree as it was. */
const SCREENSHOT =
  process.env.COMPOSE_LB_SCREENSHOT === '1' ? join(__dirname, '..', '..', 'docs', 'status-page.png') : join(tmpdir(), 'compose-lb-status-page.png');

describeDocker('the status page in a real browser', (flavor) => {
  const project = new ComposeProject(flavor, join(FIXTURES, 'status-page.yaml'), fixtureEnv());
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    await project.down();
  });

  it('shows the replicas live, and a new one when the service is scaled, without a reload', async () => {
    await project.up({ web: 2 });
    const lb = await BalancerHandle.of(project);
    await lb.waitForReady(2);
    const page = `${await project.publishedUrl('web-lb', 8081)}/`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // As root in a container-less CI machine; no network beyond 127.0.0.1 (ENVIRONMENT.md).
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const tab = await browser.newPage({ viewport: { width: 900, height: 700 } });
    await tab.goto(page);
    const rows = tab.locator('section[data-service="web"] tr[data-replica]');
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);

    await underLoad(lb.url, { connections: 4, path: '/' }, async () => {
      await project.up({ web: 3 });
      // The page follows by itself: a third row appears, and the new replica shows as ready.
      await rows.nth(2).waitFor({ timeout: 30_000 });
      await tab.locator('section[data-service="web"] td.state.ready').nth(2).waitFor({ timeout: 30_000 });
      await tab.locator('#conn.live').waitFor();
    });
    expect(await rows.count()).toBe(3);
    await tab.locator('section[data-service="web"] ul.events li').first().waitFor();
    await tab.screenshot({ path: SCREENSHOT, fullPage: true });
  });
});
