import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/**
 * Record ids: UUIDv7 (time-ordered, so files sorted by time are nearly sorted by id too). The library
 * asks the OS for 16 random bytes per id, which costs more than the rest of ingest per record; here the
 * randomness comes from a pool refilled 64 KiB at a time.
 */
const pool = Buffer.allocUnsafe(64 * 1024);
let offset = pool.length;

export function newRecordId(): string {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const random = pool.subarray(offset, offset + 16);
  offset += 16;
  return v7({ random });
}
