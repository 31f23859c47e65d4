/**
 * Where a processor that drops property keys says how many it dropped, so a query can find records that
 * lost some. Processors add to the count: flatten and limits may both drop keys from one record.
 */
export const DROPPED_KEYS = '_dropped_keys';

export function countDroppedKeys(props: Record<string, unknown>, dropped: number): void {
  if (dropped === 0) return;
  const before = props[DROPPED_KEYS];
  props[DROPPED_KEYS] = (typeof before === 'number' ? before : 0) + dropped;
}
