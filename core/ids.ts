import { randomFillSync } from 'node:crypto';

/**
 * Record ids: UUIDv7 (time-ordered, so files sorted by time are nearly sorted by id too): 48 bits of Unix
 * milliseconds, the version, 74 random bits and the variant. Written here rather than by the uuid library,
 * which allocated two buffers per id and asked the OS for 16 random bytes each time: the randomness comes
 * from a pool refilled 64 KiB at a time, and the time part is formatted once per millisecond.
 */
const pool = Buffer.allocUnsafe(64 * 1024);
let offset = pool.length;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
let prefixMs = -1;
let prefix = '';

export function newRecordId(): string {
  if (offset + 10 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const now = Date.now();
  if (now !== prefixMs) {
    const ms = now.toString(16).padStart(12, '0');
    prefix = `${ms.slice(0, 8)}-${ms.slice(8)}-7`;
    prefixMs = now;
  }
  const b = pool;
  const o = offset;
  offset += 10;
  return `${prefix}${HEX[b[o] & 0x0f].slice(1)}${HEX[b[o + 1]]}-${HEX[0x80 | (b[o + 2] & 0x3f)]}${HEX[b[o + 3]]}-${HEX[b[o + 4]]}${HEX[b[o + 5]]}${HEX[b[o + 6]]}${HEX[b[o + 7]]}${HEX[b[o + 8]]}${HEX[b[o + 9]]}`;
}
