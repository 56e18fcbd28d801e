/**
 * What the content guards read instead of the raw text: the same words with the disguises that
 * keep a regular expression from seeing them taken off. A model reads "іgnore" (Cyrillic і),
 * "ｉｇｎｏｒｅ" (fullwidth) and "ig\u200Bnore" (a zero-width space inside) as "ignore"; so must the
 * guards.
 */

/**
 * Letters of other scripts that look like ASCII ones (the subset of Unicode's confusables that
 * matters for English words): Cyrillic and Greek look-alikes, and a few Latin and IPA ones that
 * NFKC leaves alone. Fullwidth forms and mathematical letters are handled by NFKC.
 */
// prettier-ignore
const CONFUSABLES: Record<string, string> = {
  // Cyrillic lower case.
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't',
  у: 'y', х: 'x', ѕ: 's', і: 'i', ї: 'i', ј: 'j', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w', ӏ: 'l',
  ү: 'y', ɡ: 'g', ь: 'b', п: 'n', г: 'r', ч: 'y', ш: 'w', л: 'n', д: 'd',
  // Cyrillic upper case.
  А: 'A', В: 'B', Е: 'E', Ё: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T',
  У: 'Y', Х: 'X', Ѕ: 'S', І: 'I', Ї: 'I', Ј: 'J', Һ: 'H', Ԁ: 'D', Ԛ: 'Q', Ԝ: 'W', Ӏ: 'I',
  Ү: 'Y',
  // Greek lower case.
  α: 'a', β: 'b', γ: 'y', δ: 'd', ε: 'e', ζ: 'z', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o',
  ρ: 'p', σ: 'o', ς: 'c', τ: 't', υ: 'u', χ: 'x', ω: 'w', ϲ: 'c', ϳ: 'j',
  // Greek upper case.
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P',
  Τ: 'T', Υ: 'Y', Χ: 'X', Ϲ: 'C',
  // Latin and IPA look-alikes NFKC keeps.
  ı: 'i', ȷ: 'j', ɑ: 'a', ɩ: 'i', ʀ: 'r', ʏ: 'y', ɴ: 'n', ᴀ: 'a', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e',
  ᴋ: 'k', ᴍ: 'm', ᴏ: 'o', ᴘ: 'p', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ᴢ: 'z', ꜱ: 's', ʟ: 'l',
  ɢ: 'g', ʜ: 'h',
};

const CONFUSABLE_PATTERN = new RegExp(`[${Object.keys(CONFUSABLES).join('')}]`, 'gu');

/**
 * Invisible characters: format controls (zero-width space, joiners, word joiner, byte-order mark,
 * soft hyphen, bidirectional controls, tags) and variation selectors.
 */
const INVISIBLE = /[\p{Cf}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}\u034F\u115F\u1160\u3164\uFFA0]/gu;

/** Combining marks left after decomposition ("ï" becomes "i" and a diaeresis). */
const COMBINING_MARKS = /\p{M}/gu;

/**
 * The text with disguises removed, case kept (key formats are case-sensitive): NFKC (fullwidth
 * and stylised letters become ASCII), invisible characters and accents dropped, look-alike
 * letters of other scripts mapped to ASCII, and every run of white space one space.
 */
export function foldText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(CONFUSABLE_PATTERN, (ch) => CONFUSABLES[ch] ?? ch)
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * E-mail addresses written to slip past a pattern ("john.doe [at] corp dot com", "jane (at)
 * acme (dot) io") written the usual way. Bare " at " is read as "@" only when the domain is also
 * spelled with " dot ", so "look at config.yaml" stays as it is.
 */
export function deobfuscateEmails(lower: string): string {
  return lower
    .replace(/\s*[[({<]\s*at\s*[\])}>]\s*/g, '@')
    .replace(/\s*[[({<]\s*dot\s*[\])}>]\s*/g, '.')
    .replace(/\s+@\s+/g, '@')
    .replace(
      /([a-z0-9._%+-]+)\s+at\s+([a-z0-9-]+(?:\s+dot\s+[a-z0-9-]+)+)\b/g,
      (_, local: string, domain: string) => `${local}@${domain.replace(/\s+dot\s+/g, '.')}`,
    )
    .replace(/(@[a-z0-9.-]+?)\s+dot\s+([a-z]{2,})\b/g, '$1.$2');
}

/** The three readings of a text that detectors choose from. */
export interface TextReadings {
  /** Disguises removed, case kept: for key formats. */
  folded: string;
  /** Folded and lower-cased: for phrases. */
  lower: string;
  /** Lower-cased with spelled-out e-mail addresses rewritten: for addresses. */
  deobfuscated: string;
}

export function readingsOf(text: string): TextReadings {
  const folded = foldText(text);
  const lower = folded.toLowerCase();
  return { folded, lower, deobfuscated: deobfuscateEmails(lower) };
}
