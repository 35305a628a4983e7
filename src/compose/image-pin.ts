import { ComposeInputError } from './compose-errors';

/** An image reference split up: `[registry/]path[:tag][@digest]`. */
export interface ImageReference {
  /** Everything before the tag and digest, as written. */
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

export function parseImageReference(ref: string): ImageReference {
  const at = ref.indexOf('@');
  const name = at < 0 ? ref : ref.slice(0, at);
  const digest = at < 0 ? undefined : ref.slice(at + 1);
  // A colon after the last slash starts the tag; one before it is a registry port (localhost:5000/app).
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  return { repository: hasTag ? name.slice(0, colon) : name, tag: hasTag ? name.slice(colon + 1) : undefined, digest };
}

/** Docker Hub's short and long spellings of one repository compare equal (nginx, docker.io/library/nginx). */
function canonicalRepository(repository: string): string {
  const path = repository.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  return path.includes('/') ? path : `library/${path}`;
}

/**
 * The reference pinned to the digest the registry gave the image, so `docker run
 * NAME` keeps running exactly this image even if the tag moves. `repoDigests` is
 * `docker image inspect`'s RepoDigests; undefined means the image is not here.
 */
export function pinnedReference(ref: string, repoDigests: readonly string[] | undefined): string {
  const wanted = parseImageReference(ref);
  if (wanted.digest !== undefined) return ref;
  if (repoDigests === undefined) {
    throw new ComposeInputError(
      'image',
      `cannot pin ${ref}: there is no such image on this machine; pull or build it first`,
    );
  }
  const match = repoDigests
    .map(parseImageReference)
    .find(
      (d) => d.digest !== undefined && canonicalRepository(d.repository) === canonicalRepository(wanted.repository),
    );
  if (match) return `${wanted.repository}@${match.digest}`;
  const why =
    repoDigests.length === 0
      ? 'it has no registry digest: it was built or loaded here and never pushed to or pulled from a registry, ' +
        'and a digest only exists for an image in a registry'
      : `its registry digests are for other repositories (${repoDigests.join(', ')})`;
  throw new ComposeInputError(
    'image',
    `cannot pin ${ref}: ${why}. Push it (or pull it by that name), or leave out --pin`,
  );
}
