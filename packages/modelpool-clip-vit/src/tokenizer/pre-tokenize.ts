/**
 * CLIP's word pattern: the special tokens, English contractions, runs of letters, single digits,
 * and runs of anything else that is not whitespace.
 */
const WORD_PATTERN =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

/** Splits cleaned text into the words BPE encodes one by one. */
export function preTokenize(text: string): string[] {
  return text.match(WORD_PATTERN) ?? [];
}
