/**
 * Deterministic draws from the store's seed: what KubeVirt leaves to
 * randomness (generated name suffixes, crash-loop jitter) comes from a hash
 * of the seed and a key, so the same seed gives the same trace and a core
 * restored from JSON draws the same. Internal to the cluster core.
 */

/** FNV-1a, 32 bits, of `${seed}/${key}`. */
export function seededHash(seed: number, key: string): number {
  let h = 0x811c9dc5;
  const text = `${seed}/${key}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A draw in [0, 1) from the seed and a key. */
export function seededFraction(seed: number, key: string): number {
  return seededHash(seed, key) / 0x1_0000_0000;
}

/** The API server's generateName alphabet (k8s.io/apimachinery pkg/util/rand `alphanums`: no vowels, no look-alikes), as char codes. */
const SUFFIX_CODES = [...'bcdfghjklmnpqrstvwxz2456789'].map((c) => c.charCodeAt(0));
/** The powers of the alphabet's size: the suffix's digits are hash / 27^i mod 27. */
const N2 = SUFFIX_CODES.length ** 2;
const N3 = SUFFIX_CODES.length ** 3;
const N4 = SUFFIX_CODES.length ** 4;

/**
 * The 5 characters the API server appends to a `generateName`
 * (k8s.io/apiserver pkg/storage/names/generate.go), here 5 base-27 digits
 * of a 32-bit hash the caller draws.
 */
export function nameSuffix(hash: number): string {
  const c = SUFFIX_CODES;
  const n = c.length;
  return String.fromCharCode(c[hash % n]!, c[Math.floor(hash / n) % n]!, c[Math.floor(hash / N2) % n]!, c[Math.floor(hash / N3) % n]!, c[Math.floor(hash / N4) % n]!);
}
