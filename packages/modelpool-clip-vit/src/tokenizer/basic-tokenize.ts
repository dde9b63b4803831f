const CONTROL = /\p{C}/u;
const SPACE_SEPARATOR = /\p{Zs}/u;

/** CJK ideographs, which BERT-style cleaning sets apart as words of their own. */
function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/**
 * The cleaning CLIPTokenizer applies when ftfy is not installed (transformers' BasicTokenizer with
 * lower casing, accents kept and no punctuation split): control and format characters dropped,
 * every kind of space made a plain space, CJK ideographs spaced apart, NFC normalisation, lower
 * case; returns the whitespace-separated words.
 */
export function basicTokenize(text: string): string[] {
  let cleaned = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const isTabOrNewline = ch === '\t' || ch === '\n' || ch === '\r';
    if (cp === 0 || cp === 0xfffd || (!isTabOrNewline && CONTROL.test(ch))) continue;
    if (ch === ' ' || isTabOrNewline || SPACE_SEPARATOR.test(ch)) cleaned += ' ';
    else if (isCjk(cp)) cleaned += ` ${ch} `;
    else cleaned += ch;
  }
  return cleaned
    .normalize('NFC')
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}
