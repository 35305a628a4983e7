import { isMap, isScalar, parseDocument, type Document, type Pair, type YAMLError, type YAMLMap } from 'yaml';
import { ComposeInputError } from './compose-errors';
import { isRecord } from './plain-values';
import { sourceText, type SourceText } from './source-text';

export type ServiceConfig = Readonly<Record<string, unknown>>;

/** A parsed, validated compose file: the source lines, the yaml Document, and plain values. */
export interface ComposeFile {
  /** How messages name the file, e.g. `compose.yaml`. */
  readonly label: string;
  readonly text: SourceText;
  readonly doc: Document.Parsed;
  /** The `services:` mapping node. */
  readonly services: YAMLMap;
  /** Every top-level key as plain values, `<<` merges resolved. */
  readonly model: Readonly<Record<string, unknown>>;
}

/** Top-level keys of the Compose specification (https://github.com/compose-spec/compose-spec). */
const TOP_LEVEL_KEYS = [
  'version',
  'name',
  'include',
  'services',
  'networks',
  'volumes',
  'configs',
  'secrets',
  'models',
];

/**
 * Parses and validates. `<<` merge keys are on: both Compose v1 (PyYAML, YAML 1.1)
 * and v2 (go-yaml) honour them, and `x-` anchors are usually merged that way.
 */
export function parseComposeFile(source: string, label: string): ComposeFile {
  const doc = parseDocument(source, { merge: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first) throw yamlError(label, first);
  let model: unknown;
  try {
    model = doc.toJS();
  } catch (err) {
    // e.g. an alias to an anchor defined later, or too many aliases (yaml's "billion laughs" limit)
    throw new ComposeInputError('invalid-yaml', `${label}: invalid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (!isMap(doc.contents) || !isRecord(model)) {
    throw new ComposeInputError(
      'not-compose',
      `${label} is not a Compose file: expected a mapping with a "services" key`,
    );
  }
  const services = doc.contents.get('services', true);
  if (!isMap(services) || !isRecord(model['services'])) throw notCompose(label, model);
  if (services.items.length === 0) throw new ComposeInputError('not-compose', `${label} defines no services`);
  return { label, text: sourceText(source), doc, services, model };
}

function yamlError(label: string, err: YAMLError): ComposeInputError {
  const [headline = err.message, ...context] = err.message.split('\n');
  const what = headline.replace(/ at line \d+, column \d+:?$/, '');
  const pos = err.linePos?.[0];
  const where = pos ? `${label}:${pos.line}:${pos.col}` : label;
  const snippet = context.filter((l) => l.trim() !== '').map((l) => `    ${l}`);
  return new ComposeInputError('invalid-yaml', [`${where}: invalid YAML: ${what}`, ...snippet].join('\n'), {
    cause: err,
  });
}

function notCompose(label: string, model: Record<string, unknown>): ComposeInputError {
  if ('services' in model) {
    return new ComposeInputError(
      'not-compose',
      `${label}: "services" must be a mapping of service names to their settings`,
    );
  }
  const keys = Object.keys(model);
  // Compose file format v1 had services at the top level; Compose v2 no longer reads it.
  const looksV1 = keys.some((k) => !TOP_LEVEL_KEYS.includes(k) && looksLikeService(model[k]));
  if (looksV1) {
    return new ComposeInputError(
      'not-compose',
      `${label} looks like a version 1 Compose file (services at the top level); move them under "services:" first`,
    );
  }
  return new ComposeInputError(
    'not-compose',
    `${label} is not a Compose file: it has no "services" key (top-level keys: ${keys.join(', ') || 'none'})`,
  );
}

function looksLikeService(value: unknown): boolean {
  return isRecord(value) && ('image' in value || 'build' in value);
}

export function serviceNames(file: ComposeFile): string[] {
  return Object.keys(servicesModel(file));
}

function servicesModel(file: ComposeFile): Record<string, unknown> {
  const services = file.model['services'];
  return isRecord(services) ? services : {};
}

/** A service's settings as Compose sees them: merges resolved; {} for an empty service. */
export function serviceConfig(file: ComposeFile, name: string): ServiceConfig {
  const config = servicesModel(file)[name];
  return isRecord(config) ? config : {};
}

/** Throws the "unknown service" input error, naming the services there are. */
export function requireService(file: ComposeFile, name: string): void {
  if (Object.prototype.hasOwnProperty.call(servicesModel(file), name)) return;
  throw new ComposeInputError(
    'unknown-service',
    `no service "${name}" in ${file.label}; its services are: ${serviceNames(file).join(', ')}`,
  );
}

/** The `name: {...}` pair of a service in the `services:` mapping. */
export function servicePair(file: ComposeFile, name: string): Pair | undefined {
  return file.services.items.find((p) => isScalar(p.key) && String(p.key.value) === name);
}
