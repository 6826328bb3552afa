import { createHash, timingSafeEqual } from 'node:crypto';

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * A check of a presented API key against the configured ones that takes the same time whatever
 * the key: both sides are hashed first (equal 32-byte digests, since `timingSafeEqual` throws on
 * unequal lengths and the length itself would leak), and every configured key is compared, so
 * neither the length, the matching prefix nor the position of the matching key shows in timing.
 */
export function createApiKeyVerifier(keys: readonly string[]): (candidate: string) => boolean {
  if (keys.length === 0) throw new Error('apiKeys: at least one API key is required');
  if (keys.some((key) => key.length === 0)) throw new Error('apiKeys: an API key must not be empty');
  const digests = keys.map(sha256);
  return (candidate) => {
    const presented = sha256(candidate);
    let matched = false;
    for (const digest of digests) {
      // compare first, then combine, so that a match does not skip the remaining comparisons
      matched = timingSafeEqual(digest, presented) || matched;
    }
    return matched;
  };
}
