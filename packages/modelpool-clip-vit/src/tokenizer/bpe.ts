/** The suffix CLIP's BPE puts on the last symbol of every word. */
const END_OF_WORD = '</w>';

/** A pair's key in the rank table; symbols never contain spaces (see BYTE_ENCODER). */
function pairKey(first: string, second: string): string {
  return `${first} ${second}`;
}

/**
 * Byte-pair encoding with a merge table: repeatedly merges the adjacent pair of lowest rank until
 * none is in the table, as CLIP's tokenizer does. Results are cached per word.
 */
export class BytePairEncoder {
  readonly #ranks: Map<string, number>;
  readonly #cache = new Map<string, string[]>();

  constructor(merges: readonly (readonly [string, string])[]) {
    this.#ranks = new Map(merges.map(([first, second], rank) => [pairKey(first, second), rank]));
  }

  /** The symbols of a byte-encoded word, the last one ending in `</w>`. */
  encode(word: string): string[] {
    const cached = this.#cache.get(word);
    if (cached) return cached;
    let symbols = [...word.slice(0, -1), word.slice(-1) + END_OF_WORD];
    while (symbols.length > 1) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.#ranks.get(pairKey(symbols[i], symbols[i + 1]));
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      symbols = mergeAll(symbols, symbols[best], symbols[best + 1]);
    }
    this.#cache.set(word, symbols);
    return symbols;
  }
}

/** Merges every non-overlapping occurrence of (first, second), left to right. */
function mergeAll(symbols: readonly string[], first: string, second: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (symbols[i] === first && symbols[i + 1] === second) {
      out.push(first + second);
      i++;
    } else {
      out.push(symbols[i]);
    }
  }
  return out;
}
