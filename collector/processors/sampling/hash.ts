/**
 * A key's place in [0, 1), the same in every process and release: sampling decisions made by different
 * collectors, or before and after a restart, agree. FNV-1a over the UTF-16 code units, then murmur3's
 * finaliser, so keys that differ only in their last characters (sequential ids) still spread evenly.
 * Changing this changes which traces are kept.
 */
export function unitHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}
