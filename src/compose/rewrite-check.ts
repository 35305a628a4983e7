import { isDeepStrictEqual } from 'node:util';
import { ComposeInputError, ComposeRewriteError } from './compose-errors';
import { parseComposeFile, serviceConfig, serviceNames, type ComposeFile, type ServiceConfig } from './compose-file';

type Check = (config: ServiceConfig) => string | undefined;

export interface ServiceCheck {
  readonly name: string;
  readonly check: Check;
}

/**
 * What a rewrite may change: one service, plus services added, removed, or
 * changed (the balancer a route joins or leaves, compose-lb-discovery), and
 * the top-level `networks` (compose-lb's own network).
 */
export interface ExpectedChange {
  readonly service: string;
  /** Says what is wrong with the service as Compose reads it afterwards, if anything. */
  readonly checkService: Check;
  readonly added?: readonly ServiceCheck[];
  readonly changed?: readonly ServiceCheck[];
  readonly removed?: readonly string[];
  /** The top-level `networks` as Compose must read it afterwards; absent: it stays as it is. */
  readonly networks?: { readonly after: unknown };
}

/**
 * Parses a rewrite's result and compares it, as Compose would read it, with the
 * file before: anything changed beyond what was meant stops the write. Another
 * service changing means it merges the edited one (`<<: *web`): an input error.
 * Anything else would be a rewrite that went wrong: splicing text is exact where
 * it applies, and this makes sure it applied.
 */
export function checkRewrite(before: ComposeFile, text: string, expected: ExpectedChange): ComposeFile {
  const fail = (why: string): never => {
    throw new ComposeRewriteError(
      `cannot rewrite ${before.label} safely: ${why}; nothing was written (please report this with the file)`,
    );
  };
  let after: ComposeFile;
  try {
    after = parseComposeFile(text, before.label);
  } catch (err) {
    return fail(`the result would not parse (${(err as Error).message})`);
  }
  if (!isDeepStrictEqual(topLevelAfter(before, expected), without(after.model, 'services'))) {
    fail(expected.networks ? 'the top-level keys would not read as meant' : 'top-level keys besides "services" would change');
  }
  const names = new Set([...serviceNames(before), ...serviceNames(after)]);
  for (const name of names) {
    const was = serviceNames(before).includes(name) ? serviceConfig(before, name) : undefined;
    const is = serviceNames(after).includes(name) ? serviceConfig(after, name) : undefined;
    const added = expected.added?.find((a) => a.name === name);
    const changed = expected.changed?.find((c) => c.name === name);
    if (name === expected.service) {
      const problem = is === undefined ? `${name} would be gone` : expected.checkService(is);
      if (problem !== undefined) fail(problem);
    } else if (added) {
      const problem = was === undefined && is !== undefined ? added.check(is) : `${name} would not be added`;
      if (problem !== undefined) fail(problem);
    } else if (changed) {
      const problem = is === undefined ? `${name} would be gone` : changed.check(is);
      if (problem !== undefined) fail(problem);
    } else if (expected.removed?.includes(name)) {
      if (is !== undefined) fail(`${name} would not be removed`);
    } else if (!isDeepStrictEqual(was, is)) {
      throw new ComposeInputError(
        'merged-key',
        `cannot rewrite ${before.label}: ${name} would change too, as it merges ${expected.service}'s settings through an anchor; ` +
          `give ${name} its own settings first`,
      );
    }
  }
  return after;
}

/** The top-level keys but `services` as they must read afterwards. */
function topLevelAfter(before: ComposeFile, expected: ExpectedChange): Record<string, unknown> {
  const top = without(before.model, 'services');
  if (expected.networks?.after !== undefined) top['networks'] = expected.networks.after;
  else if (expected.networks) delete top['networks'];
  return top;
}

/** A copy of a service's settings without some keys. */
export function without(config: ServiceConfig, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => !keys.includes(k)));
}

/** A service check: the service must read exactly as `expected`. */
export function sameAs(expected: ServiceConfig): Check {
  return (config) => (isDeepStrictEqual(config, expected) ? undefined : 'the service would not end up as intended');
}
