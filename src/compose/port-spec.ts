import { isRecord } from './plain-values';

/** An inclusive range of ports; a single port has start === end. */
export interface PortRange {
  readonly start: number;
  readonly end: number;
}

/** One entry of a service's `ports:`, short or long syntax, as far as we can read it. */
export interface PortMapping {
  /** The entry as written (short syntax) or summarised (long syntax), for messages. */
  readonly text: string;
  readonly hostIp: string | undefined;
  /** Host port or range as written ("8080", "8000-8010", "${PORT}"); undefined: Docker picks one. */
  readonly published: string | undefined;
  /** Container port(s); undefined when it is an ${interpolation} we cannot read without the environment. */
  readonly target: PortRange | undefined;
  readonly protocol: string;
}

/**
 * Reads a `ports:` entry: `"80"`, `"8080:80"`, `"127.0.0.1:8080:80/tcp"`, `"[::1]::80"`,
 * `"8000-8010:80"`, `80`, or the long syntax `{ target, published, host_ip, protocol }`.
 * Grammar: [[HOST_IP:][HOST_PORT(S)]:]CONTAINER_PORT(S)[/PROTOCOL]
 * (https://docs.docker.com/reference/compose-file/services/#ports).
 * Throws an Error saying what is wrong with the entry.
 */
export function parsePortEntry(entry: unknown): PortMapping {
  if (typeof entry === 'number') return parseShort(String(entry));
  if (typeof entry === 'string') return parseShort(entry);
  if (isRecord(entry)) return parseLong(entry);
  throw new Error(`${JSON.stringify(entry)} is not a port mapping`);
}

function parseShort(text: string): PortMapping {
  const [spec = '', protocol = 'tcp', ...extra] = splitOutside(text.trim(), '/');
  const parts = splitOutside(spec, ':');
  const container = parts.pop() ?? '';
  const published = parts.pop();
  const hostIp = parts.length > 0 ? parts.join(':').replace(/^\[(.*)\]$/, '$1') : undefined;
  if (extra.length > 0 || container === '') throw new Error(`"${text}" is not a port mapping`);
  return {
    text,
    hostIp: hostIp || undefined,
    published: published || undefined,
    target: readPorts(container, text),
    protocol: protocol.toLowerCase(),
  };
}

function parseLong(entry: Record<string, unknown>): PortMapping {
  const target = entry['target'];
  const published = entry['published'];
  const hostIp = entry['host_ip'];
  const protocol = entry['protocol'];
  if (typeof target !== 'number' && typeof target !== 'string') {
    throw new Error(`${JSON.stringify(entry)} has no "target" port`);
  }
  const mapping = {
    hostIp: typeof hostIp === 'string' ? hostIp : undefined,
    published: typeof published === 'number' || typeof published === 'string' ? String(published) : undefined,
    protocol: typeof protocol === 'string' ? protocol.toLowerCase() : 'tcp',
  };
  // Messages show a long-syntax entry the way the short syntax would write it.
  const text = [mapping.hostIp, mapping.published, `${target}/${mapping.protocol}`]
    .filter((p) => p !== undefined)
    .join(':');
  return { ...mapping, text, target: readPorts(String(target), text) };
}

function readPorts(raw: string, context: string): PortRange | undefined {
  if (raw.includes('$')) return undefined;
  const range = parsePortRange(raw);
  if (!range) throw new Error(`"${context}": "${raw}" is not a port or port range`);
  return range;
}

/** `80`, `80-90`, optionally with a `/protocol` suffix (as in `expose`); undefined if it is not one. */
export function parsePortRange(raw: string): PortRange | undefined {
  const match = /^(\d+)(?:-(\d+))?(?:\/\w+)?$/.exec(raw.trim());
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (start < 1 || end > 65535 || end < start) return undefined;
  return { start, end };
}

/** Splits on `sep` except inside `${...}` interpolations and `[...]` IPv6 brackets. */
function splitOutside(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if ((ch === '$' && text.charAt(i + 1) === '{') || ch === '[') depth++;
    else if ((ch === '}' || ch === ']') && depth > 0) depth--;
    else if (ch === sep && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}
