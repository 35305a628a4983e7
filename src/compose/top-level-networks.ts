import { isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import { deleteService, insertAfterService } from './block-edits';
import { ComposeInputError } from './compose-errors';
import type { ComposeFile } from './compose-file';
import { appendPairLines, removeItems } from './list-items';
import { lastTopLevelKey, topLevelKey, type KeySpan, type Span } from './service-block';
import { columnAt, lineAt, spliceLine, type LineEdit } from './source-text';

/** A network entry to write: its name and its settings as YAML scalars (`internal: "true"`). */
export interface NetworkEntry {
  readonly name: string;
  readonly settings: Readonly<Record<string, string>>;
}

export interface NetworkAddition {
  readonly edit: LineEdit;
  /** The file had no top-level `networks:`; the edit writes the key too. */
  readonly createdKey: boolean;
}

const KEY = 'networks';

/**
 * Adds an entry to the file's top-level `networks:` in its own layout (after
 * the last entry of a block mapping, `, name: {...}` in a flow one), or writes
 * the key after the file's last top-level key.
 */
export function addNetwork(file: ComposeFile, entry: NetworkEntry): NetworkAddition {
  const key = topLevelKey(file, KEY);
  const step = indentStep(file);
  const settings = Object.entries(entry.settings);
  if (!key) {
    const lines = [`${KEY}:`, `${step}${entry.name}:`, ...settings.map(([k, v]) => `${step}${step}${k}: ${v}`)];
    return { edit: insertAfterService(file.text, newKeyPlace(file), [lines]), createdKey: true };
  }
  const map = networksMap(file, key);
  if (map.flow) {
    const flow = `${entry.name}: {${settings.map(([k, v]) => `${k}: ${v}`).join(', ')}}`;
    const last = (map.items[map.items.length - 1]?.value ?? map.items[map.items.length - 1]?.key) as Node | null;
    const at = last?.range?.[1] ?? (map.range?.[0] ?? 0) + 1;
    return { edit: spliceLine(file.text, at, 0, `${last ? ', ' : ''}${flow}`), createdKey: false };
  }
  const block = (indent: string): string[] => [
    `${indent}${entry.name}:`,
    ...settings.map(([k, v]) => `${indent}${step}${k}: ${v}`),
  ];
  const edit = appendPairLines(file.text, map, block);
  if (!edit) throw layoutError(file, 'its top-level "networks" mapping has no entry to take the layout from');
  return { edit, createdKey: false };
}

export interface NetworkRemoval {
  readonly edits: readonly LineEdit[];
  /** The whole top-level `networks:` goes. */
  readonly keyGone: boolean;
}

/**
 * Takes the entry `name` out of the top-level `networks:` again, and the key
 * with it when `add` wrote the key and nothing else is in it. Undefined when
 * the entry is not there as `addNetwork` wrote it.
 */
export function removeNetwork(file: ComposeFile, name: string, createdKey: boolean): NetworkRemoval | undefined {
  const key = topLevelKey(file, KEY);
  const map = key?.pair.value;
  if (!key || !isMap(map)) return undefined;
  const index = map.items.findIndex((p) => isScalar(p.key) && String(p.key.value) === name);
  if (index < 0) return undefined;
  if (createdKey && map.items.length === 1) return { edits: [deleteService(file.text, key)], keyGone: true };
  const edits = removeItems(file.text, map, [index]);
  return edits && { edits, keyGone: false };
}

function networksMap(file: ComposeFile, key: KeySpan): YAMLMap {
  const value = key.pair.value;
  if (!isMap(value)) throw layoutError(file, 'its top-level "networks" is not a mapping');
  return value;
}

/** The indentation step of the file's top level: that of the services under `services:`. */
function indentStep(file: ComposeFile): string {
  const first = file.services.items[0]?.key as Node | null | undefined;
  return ' '.repeat(first?.range ? Math.max(1, columnAt(file.text, first.range[0])) : 2);
}

/**
 * After the last top-level key. When that is `services:`, a new key is set
 * off by a blank line as the last service is: a service `add` inserts after
 * the last one gets the same blank line, and each gives it back on `remove`.
 */
function newKeyPlace(file: ComposeFile): Span {
  const last = lastTopLevelKey(file);
  if (!last) throw layoutError(file, 'it has no top-level key');
  const lastService = file.services.items[file.services.items.length - 1]?.key as Node | null | undefined;
  const range = last.key === 'services' ? lastService?.range : undefined;
  return range ? { ...last, first: lineAt(file.text, range[0]) } : last;
}

function layoutError(file: ComposeFile, why: string): ComposeInputError {
  return new ComposeInputError(
    'layout',
    `cannot rewrite ${file.label}: ${why}; add the compose-lb network by hand, or pass --socket direct`,
  );
}
