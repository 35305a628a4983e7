import { ComposeInputError } from '../../../src/compose/compose-errors';
import { parseImageReference, pinnedReference } from '../../../src/compose/image-pin';
import { thrown } from './fixtures';

const DIGEST = 'sha256:' + 'ab'.repeat(32);

describe('parseImageReference', () => {
  it.each([
    ['nginx', { repository: 'nginx', tag: undefined, digest: undefined }],
    ['nginx:1.27', { repository: 'nginx', tag: '1.27', digest: undefined }],
    ['localhost:5000/team/app', { repository: 'localhost:5000/team/app', tag: undefined }],
    ['localhost:5000/team/app:2@' + DIGEST, { repository: 'localhost:5000/team/app', tag: '2', digest: DIGEST }],
  ])('%s', (ref, expected) => {
    expect(parseImageReference(ref)).toMatchObject(expected);
  });
});

describe('pinnedReference', () => {
  it('pins to the digest of the same repository, dropping the tag', () => {
    expect(
      pinnedReference('ghcr.io/acme/compose-lb:0.1.0', [`other.io/x@${DIGEST}`, `ghcr.io/acme/compose-lb@${DIGEST}`]),
    ).toBe(`ghcr.io/acme/compose-lb@${DIGEST}`);
  });

  it('matches Docker Hub names however they are spelled', () => {
    expect(pinnedReference('docker.io/library/nginx:1.27', [`nginx@${DIGEST}`])).toBe(
      `docker.io/library/nginx@${DIGEST}`,
    );
    expect(pinnedReference('nginx', [`docker.io/library/nginx@${DIGEST}`])).toBe(`nginx@${DIGEST}`);
  });

  it('keeps a reference that is pinned already', () => {
    expect(pinnedReference(`nginx@${DIGEST}`, undefined)).toBe(`nginx@${DIGEST}`);
  });

  it('explains that a local image has no digest (exit 2)', () => {
    const err = thrown(() => pinnedReference('compose-lb:0.1.0', []));
    expect(err).toBeInstanceOf(ComposeInputError);
    expect(err.message).toMatch(
      /cannot pin compose-lb:0.1.0: it has no registry digest: .* a digest only exists for an image in a registry/,
    );
  });

  it('refuses a digest from another repository', () => {
    expect(thrown(() => pinnedReference('mirror.local/nginx:1', [`nginx@${DIGEST}`])).message).toMatch(
      /its registry digests are for other repositories \(nginx@sha256:/,
    );
  });

  it('says when the image is not here at all', () => {
    expect(thrown(() => pinnedReference('nope:1', undefined)).message).toMatch(
      /no such image on this machine; pull or build it first/,
    );
  });
});
