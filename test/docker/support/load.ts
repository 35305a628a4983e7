import autocannon from 'autocannon';

export interface LoadResult {
  readonly total: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Record<string, number>;
}

/**
 * A bounded autocannon run against 127.0.0.1, started now and settled when it
 * ends, so a test can change the stack while the load runs.
 */
export function startLoad(
  url: string,
  { connections = 20, durationSec = 8, method = 'GET' as 'GET' | 'POST' } = {},
): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:/.test(url)) throw new Error(`load goes to 127.0.0.1 only, not ${url}`);
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: durationSec, method, timeout: 10 }, (err, result) => {
      if (err) return reject(err);
      const statusCodes: Record<string, number> = {};
      for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
        statusCodes[code] = (stat as { count: number }).count;
      }
      resolve({
        total: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statusCodes,
      });
    });
  });
}

/**
 * Asserts a load run saw only 2xx and no socket errors; on failure the message
 * carries the status counts and the balancer's warnings, to show what happened.
 */
export async function expectClean(result: LoadResult, balancerLogs: () => Promise<string>): Promise<void> {
  if (result.non2xx === 0 && result.errors === 0 && result.timeouts === 0 && result.total > 0) return;
  const warnings = (await balancerLogs())
    .split('\n')
    .filter((line) => /"level":"(warn|error|fatal)"/.test(line))
    .slice(-30)
    .join('\n');
  throw new Error(`load was not clean: ${JSON.stringify(result)}\nbalancer warnings:\n${warnings}`);
}
