/**
 * SQLite values → JSON-safe values. Integers arrive as BigInt (safeIntegers) so nothing is silently rounded:
 * they become numbers when exact, decimal strings otherwise. Blobs become `0x…` hex strings (imported data has
 * none; this only makes `SELECT randomblob(4)` or a zeroblob displayable). Infinite reals (1e999) become strings,
 * since JSON has no Infinity.
 */
export function toJsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  return value;
}

/** A cheap upper-ish estimate of a value's JSON size, for the result byte cap. */
export function valueBytes(value: unknown): number {
  return typeof value === 'string' ? value.length + 2 : 8;
}
