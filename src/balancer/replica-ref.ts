import type { Backend } from './backend';

export type RefLookup<B extends Backend> =
  | { readonly found: B }
  | { readonly problem: 'none' | 'ambiguous'; readonly message: string };

/**
 * Finds the replica a person means: its container name (`shop-web-2`), its
 * Compose number (`2`), or its container ID or an unambiguous prefix of it
 * (4 characters at least, as `docker` accepts).
 */
export function findReplica<B extends Backend>(backends: readonly B[], ref: string): RefLookup<B> {
  const byName = backends.filter((b) => b.replica.name === ref);
  if (byName.length === 1) return { found: byName[0] as B };
  if (/^\d+$/.test(ref)) {
    const byNumber = backends.filter((b) => b.replica.number === Number(ref));
    if (byNumber.length === 1) return { found: byNumber[0] as B };
  }
  const byId = /^[0-9a-f]{4,64}$/.test(ref) ? backends.filter((b) => b.replica.id.startsWith(ref)) : [];
  if (byId.length === 1) return { found: byId[0] as B };
  if (byId.length > 1) return { problem: 'ambiguous', message: `"${ref}" is the start of ${byId.length} replicas' IDs` };
  return { problem: 'none', message: `no replica "${ref}" (name, Compose number or container ID)` };
}
