/** `text` cut to at most `maxBytes` of UTF-8 without splitting a character; null when it fits already. */
export function truncateUtf8(text: string, maxBytes: number): string | null {
  // A UTF-16 unit takes at most 3 bytes (a surrogate pair, two units, takes 4): short strings need no counting.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return null;
  // The first maxBytes units encode to at least maxBytes bytes, and a huge text is not encoded whole.
  const bytes = Buffer.from(text.slice(0, maxBytes));
  let end = maxBytes;
  // A continuation byte (10xxxxxx) at the cut means the character began before it: cut before that character.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', 0, end);
}
