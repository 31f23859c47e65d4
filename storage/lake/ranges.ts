/** Sorted, disjoint, inclusive integer ranges: a compact set of bus sequence numbers. */
export type Ranges = [number, number][];

export function rangesOf(values: number[]): Ranges {
  const sorted = [...values].sort((a, b) => a - b);
  const out: Ranges = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last && v <= last[1] + 1) last[1] = Math.max(last[1], v);
    else out.push([v, v]);
  }
  return out;
}

export function mergeRanges(a: Ranges, b: Ranges): Ranges {
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: Ranges = [];
  for (const [lo, hi] of all) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function inRanges(ranges: Ranges, v: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (v < ranges[mid][0]) hi = mid - 1;
    else if (v > ranges[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Drops everything at or below `floor`. */
export function rangesAbove(ranges: Ranges, floor: number): Ranges {
  return ranges.filter(([, hi]) => hi > floor).map(([lo, hi]) => [Math.max(lo, floor + 1), hi] as [number, number]);
}
