/**
 * GPT-2/CLIP's reversible map from bytes to printable characters: printable Latin-1 bytes map
 * to themselves, the others to U+0100 onwards, so BPE works on strings without whitespace or
 * control characters.
 */
function buildByteEncoder(): string[] {
  const printable = (from: string, to: string) =>
    Array.from({ length: to.charCodeAt(0) - from.charCodeAt(0) + 1 }, (_, i) => from.charCodeAt(0) + i);
  const kept = new Set([...printable('!', '~'), ...printable('¡', '¬'), ...printable('®', 'ÿ')]);
  const table: string[] = [];
  let next = 256;
  for (let byte = 0; byte < 256; byte++) {
    table[byte] = String.fromCharCode(kept.has(byte) ? byte : next++);
  }
  return table;
}

/** The character of each byte value 0-255. */
export const BYTE_ENCODER: readonly string[] = buildByteEncoder();

const UTF8 = new TextEncoder();

/** A word's UTF-8 bytes as byte characters. */
export function encodeBytes(word: string): string {
  let out = '';
  for (const byte of UTF8.encode(word)) out += BYTE_ENCODER[byte];
  return out;
}
