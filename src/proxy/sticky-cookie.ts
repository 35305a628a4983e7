import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Characters of the replica key in a cookie: the start of a container ID. */
const KEY_LENGTH = 12;
/** 16 bytes of HMAC-SHA256, base64url: more than anyone can guess. */
const MAC_BYTES = 16;

/**
 * Sticky sessions by cookie (LB_STICKY=cookie): the cookie names the replica
 * that served a client (the start of its container ID, never its address) and
 * carries an HMAC of it, so a client cannot pick a replica of its own. A cookie
 * that does not verify, or names a replica that is not ready, is ignored: the
 * request is balanced as usual and the cookie set anew (traefik#1299 is a
 * cookie pinned to a replica that is gone).
 */
export class StickyCookies {
  readonly name: string;
  private readonly secret: Buffer;

  /** `secret` empty: a random one, so cookies from before a restart of the balancer are ignored. */
  constructor(
    private readonly service: string,
    secret: string,
  ) {
    this.name = `clb-${service}`;
    this.secret = secret === '' ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  /** The replica key a request's cookie names, when the cookie is there and genuine. */
  replicaKey(rawHeaders: readonly string[]): string | undefined {
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i] as string;
      if (name.length !== 6 || name.toLowerCase() !== 'cookie') continue;
      const value = cookieValue(rawHeaders[i + 1] as string, this.name);
      if (value !== undefined) return this.verify(value);
    }
    return undefined;
  }

  /** The Set-Cookie value that pins a client to the replica with this container ID. */
  setCookie(replicaId: string): string {
    const key = replicaId.slice(0, KEY_LENGTH);
    return `${this.name}=${key}.${this.mac(key).toString('base64url')}; Path=/; HttpOnly; SameSite=Lax`;
  }

  /** True when the replica with this container ID is the one a key names. */
  static names(key: string | undefined, replicaId: string): boolean {
    return key !== undefined && replicaId.startsWith(key);
  }

  /** The replica a key pins, if it is among the candidates and not tried yet. */
  static pinned<B extends { readonly id: string }>(
    candidates: readonly B[],
    key: string | undefined,
    tried: ReadonlySet<B> | undefined,
  ): B | undefined {
    if (key === undefined) return undefined;
    return candidates.find((b) => b.id.startsWith(key) && tried?.has(b) !== true);
  }

  private verify(value: string): string | undefined {
    const dot = value.indexOf('.');
    const key = value.slice(0, dot);
    if (dot !== KEY_LENGTH || !/^[0-9a-f]+$/.test(key)) return undefined;
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.mac(key);
    return given.length === expected.length && timingSafeEqual(given, expected) ? key : undefined;
  }

  private mac(key: string): Buffer {
    return createHmac('sha256', this.secret).update(`${this.service}:${key}`).digest().subarray(0, MAC_BYTES);
  }
}

/** One cookie's value from a Cookie header (`a=1; clb-web=...; b=2`), RFC 6265 section 5.4. */
function cookieValue(header: string, name: string): string | undefined {
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}
