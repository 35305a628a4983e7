import { parsePort } from '../config';
import { ComposeInputError } from './compose-errors';

/** Where `--listen` publishes the balancer on the host. */
export interface ListenAddress {
  readonly host: string | undefined;
  readonly port: number;
}

/** `8080`, `127.0.0.1:8080` or `[::1]:8080`. */
export function parseListenAddress(raw: string): ListenAddress {
  const match = /^(?:(\[[^\]]+\]|[^:[\]]+):)?([^:]+)$/.exec(raw.trim());
  try {
    if (!match) throw new Error('expected PORT or HOST:PORT');
    const host = match[1]?.replace(/^\[(.*)\]$/, '$1');
    return { host, port: parsePort(match[2] ?? '') };
  } catch (err) {
    throw new ComposeInputError('ports', `--listen "${raw}": ${(err as Error).message}`, { cause: err });
  }
}

/** The short-syntax `ports:` entry publishing `address` to the balancer's container `port`. */
export function publishEntry(address: ListenAddress, port: number): string {
  const host = address.host === undefined ? '' : `${address.host.includes(':') ? `[${address.host}]` : address.host}:`;
  return `${host}${address.port}:${port}`;
}
