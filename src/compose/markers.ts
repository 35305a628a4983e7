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
const CONTAINER_NAME_TAG = '# [compose-lb: a named container cannot be scaled] ';

/** Comments out a line at `column` (the key's), keeping the rest of it verbatim. */
export function commentOut(line: Line, column: number): Line {
  return { text: line.text.slice(0, column) + CONTAINER_NAME_TAG + line.text.slice(column), eol: line.eol };
}

/** The original line, or undefined when this is not a line `commentOut` wrote. */
export function uncomment(line: Line): Line | undefined {
  const at = line.text.indexOf(CONTAINER_NAME_TAG);
  if (at < 0 || line.text.slice(0, at).trim() !== '') return undefined;
  return { text: line.text.slice(0, at) + line.text.slice(at + CONTAINER_NAME_TAG.length), eol: line.eol };
}
