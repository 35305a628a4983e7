import type { Line } from './source-text';

/**
 * Comments `add` leaves in the balanced service so `remove` can put things back
 * exactly where they were: a position in a YAML mapping has no name of its own
 * (a neighbouring key can move or have comments around it), but a marker line
 * sits at the very place. They also tell a reader of the file what happened.
 */

const PORTS_MARKER = /^\s*# \[compose-lb: ports moved to [^\]]+\]\s*$/;

/** The line left where the service's `ports:` were. */
export function portsMarker(indent: string, balancer: string): string {
  return `${indent}# [compose-lb: ports moved to ${balancer}]`;
}

export function isPortsMarker(text: string): boolean {
  return PORTS_MARKER.test(text);
}

/** Put before each line of a commented-out `container_name:`; the original line follows it byte for byte. */
export const CONTAINER_NAME_TAG = '# [compose-lb: a named container cannot be scaled] ';

/**
 * Put before each line of the `ports:` of a service `add` routes through a
 * balancer that is already there: requests reach it through that balancer's
 * port, and its own ports come back from these lines on `remove`.
 */
export const ROUTED_PORTS_TAG = "# [compose-lb: reached through its balancer's port] ";

/** Comments out a line at `column` (the key's) with `tag`, keeping the rest of it verbatim. */
export function commentOut(line: Line, column: number, tag: string): Line {
  return { text: line.text.slice(0, column) + tag + line.text.slice(column), eol: line.eol };
}

/** The original line, or undefined when this is not a line `commentOut` wrote with `tag`. */
export function uncomment(line: Line, tag: string): Line | undefined {
  const at = line.text.indexOf(tag);
  if (at < 0 || line.text.slice(0, at).trim() !== '') return undefined;
  return { text: line.text.slice(0, at) + line.text.slice(at + tag.length), eol: line.eol };
}
