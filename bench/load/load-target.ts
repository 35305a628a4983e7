/**
 * The network rule, checked before any load is sent: load goes to 127.0.0.1 or
 * to a container address on a network this bench created, nowhere else.
 * Pure, so the rule is tested on its own.
 */
export function checkLoadTarget(url: string, ownAddresses: ReadonlySet<string>): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return `"${url}" is not a URL`;
  }
  if (host === '127.0.0.1' || ownAddresses.has(host)) return undefined;
  return `load goes only to 127.0.0.1 or to the bench's own containers, not to ${host}`;
}
