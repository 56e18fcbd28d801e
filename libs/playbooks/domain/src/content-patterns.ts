/**
 * Detectors for text that must never be stored in a playbook: playbooks are shown to models and
 * to people, copied into reports and published on Kafka. Each detector errs on the side of a few
 * false positives for secrets and permission widening, and uses checksums (Luhn, IBAN mod 97) or
 * formatting to keep numbers in ordinary guidance ("altitude below 1500") from tripping it.
 *
 * Detectors read the text with its disguises removed (`readingsOf`): key formats the folded text
 * (case kept), phrases the lower-cased one, e-mail addresses the one with "[at]" and "dot"
 * written as "@" and ".".
 */
import {
  BLANKET_APPROVAL,
  ELEVATED_EXECUTION,
  INSTRUCTION_OVERRIDE,
  negatedBefore,
  PERMISSION_GRANT,
  SKIPPED_CHECK,
  SPELLED_CREDENTIAL,
  spelledSecretValue,
} from './content-phrases';
import { readingsOf, type TextReadings } from './content-normalizer';

export type ContentCategory = 'secret' | 'personal_data' | 'permission';

export interface ContentFinding {
  category: ContentCategory;
  /** What was found, e.g. `an AWS access key id`. */
  what: string;
  /** The match with most of it masked, so the error message never repeats a secret. */
  excerpt: string;
  /** What to do instead. */
  advice: string;
}

interface Detector {
  category: ContentCategory;
  what: string;
  pattern: RegExp;
  /** Which reading of the text it scans; `folded` by default. */
  reads?: keyof TextReadings;
  /**
   * Extra check on a match (checksum, entropy); the match counts only when it returns true.
   * `after` is the text that follows the match.
   */
  confirm?: (match: string, after: string) => boolean;
  /**
   * A phrase naming an act, which a negation right before it turns into the opposite ("never
   * skip the approval step"): a negated match does not count (see `negatedBefore`).
   */
  negatable?: boolean;
}

const SECRET_ADVICE =
  'remove it and refer to the secret by the name of the setting that holds it (for example "the ANTHROPIC_API_KEY setting")';
const PERSONAL_ADVICE =
  'replace it with a placeholder such as <email>, <phone> or <card number>; playbooks must not hold personal data';
const PERMISSION_ADVICE =
  'remove it; a playbook may guide how an agent uses the permissions it has, never widen them or switch off safeguards';

export function mask(s: string): string {
  const t = s.trim();
  return t.length <= 8 ? `${t.slice(0, 2)}…` : `${t.slice(0, 4)}…${t.slice(-2)}`;
}

/** Luhn checksum, as used by payment card numbers. */
export function luhnValid(digits: string): boolean {
  const d = digits.replace(/\D/g, '');
  if (d.length < 12) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

/** ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 = 1. */
export function ibanValid(candidate: string): boolean {
  const s = candidate.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const v = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of v) rem = (rem * 10 + Number(digit)) % 97;
  }
  return rem === 1;
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * A long token mixing upper case, lower case and digits with high entropy: how generated keys
 * look. Hex strings (commit hashes, UUIDs) stay below the threshold on purpose: CI guidance cites them.
 */
export function looksLikeGeneratedToken(token: string): boolean {
  return (
    token.length >= 32 &&
    /[a-z]/.test(token) &&
    /[A-Z]/.test(token) &&
    /\d/.test(token) &&
    entropy(token) >= 4.2
  );
}

const SPELLED_OUT = 'a password or key spelled out';

const CARD_PREFIX = /^(4|5[1-5]|2[2-7]|3[47]|6011|65)/;
/** Addresses on reserved domains (RFC 2606) are examples, not personal data. */
const EXAMPLE_EMAIL =
  /@([a-z0-9-]+\.)*(example\.(com|org|net)|[a-z0-9-]+\.(test|example|invalid|localhost))$/i;
/** Service addresses that appear in build logs (`git@github.com`) are not anyone's personal data. */
const SERVICE_EMAIL = /^(git|noreply|no-reply)@|@users\.noreply\.github\.com$/i;

const DETECTORS: Detector[] = [
  // Secrets and keys.
  { category: 'secret', what: 'an Anthropic API key', pattern: /\bsk-ant-[A-Za-z0-9_-]{10,}/g },
  {
    category: 'secret',
    what: 'an OpenAI-style API key',
    pattern: /\bsk-(?!ant-)(?:proj-)?[A-Za-z0-9_-]{20,}/g,
  },
  { category: 'secret', what: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  {
    category: 'secret',
    what: 'a private key',
    pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/g,
  },
  {
    category: 'secret',
    what: 'a GitHub token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g,
  },
  { category: 'secret', what: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  {
    category: 'secret',
    what: 'a JSON web token',
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  },
  {
    category: 'secret',
    what: 'credentials in a URL',
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@[^\s/]+/gi,
  },
  {
    // `password=hunter2` is code-like and always counts; `secret: x` counts when the value looks like one.
    category: 'secret',
    what: 'a credential assignment',
    pattern:
      /\b(?:password|passwd|secret|api[_-]?key|access[_-]?key|auth[_-]?token|client[_-]?secret|private[_-]?key)\s*(?:=\s*["']?[^\s"',;]+|:\s*["']?[^\s"',;]{4,})/gi,
    reads: 'lower',
    confirm: (m) => {
      const [, sep, value] = /([=:])\s*["']?(.*)$/.exec(m) ?? [];
      if (sep === '=') return true;
      return /[\d\W_]/.test(value ?? '') || (value ?? '').length >= 12;
    },
  },
  {
    // "password is hunter2": the same, said in words.
    category: 'secret',
    what: SPELLED_OUT,
    pattern: SPELLED_CREDENTIAL,
    reads: 'lower',
    confirm: spelledSecretValue,
  },
  {
    category: 'secret',
    what: 'a long high-entropy token (looks like a generated key)',
    pattern: /[A-Za-z0-9+/_=-]{32,}/g,
    confirm: looksLikeGeneratedToken,
  },
  // Personal data.
  {
    category: 'personal_data',
    what: 'an email address',
    pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g,
    reads: 'deobfuscated',
    confirm: (m) => !EXAMPLE_EMAIL.test(m) && !SERVICE_EMAIL.test(m),
  },
  {
    category: 'personal_data',
    what: 'a payment card number',
    pattern: /\b(?:(?:\d{4}[ -]){3}\d{1,7}|\d{4}[ -]\d{6}[ -]\d{5}|\d{13,19})\b/g,
    confirm: (m) => {
      const digits = m.replace(/\D/g, '');
      // Bare digit runs also need a card prefix, so millisecond timestamps do not count.
      return luhnValid(digits) && (/[ -]/.test(m) || CARD_PREFIX.test(digits));
    },
  },
  {
    category: 'personal_data',
    what: 'an IBAN (bank account number)',
    pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g,
    confirm: ibanValid,
  },
  {
    category: 'personal_data',
    what: 'a phone number',
    pattern:
      /(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,4}\b|(?<![\d-])\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b)/g,
    confirm: (m) => m.replace(/\D/g, '').length >= 9,
  },
  {
    category: 'personal_data',
    what: 'a US social security number',
    pattern: /(?<![\d-])\b\d{3}-\d{2}-\d{4}\b(?!-)/g,
  },
  // Instructions that override the agent's instructions, widen its permissions or switch off its
  // safeguards (see content-phrases.ts for what each family covers).
  {
    category: 'permission',
    what: 'an instruction to ignore earlier instructions',
    pattern: INSTRUCTION_OVERRIDE,
    reads: 'lower',
  },
  {
    category: 'permission',
    what: 'an instruction to approve everything',
    pattern: BLANKET_APPROVAL,
    reads: 'lower',
    negatable: true,
  },
  {
    category: 'permission',
    what: 'an instruction to skip an approval, review or check',
    pattern: SKIPPED_CHECK,
    reads: 'lower',
    negatable: true,
  },
  {
    category: 'permission',
    what: 'an instruction to switch off a safeguard',
    pattern:
      /\b(?:disable|deactivate|bypass|circumvent|turn\s+off|switch\s+off|evade)\s+(?:the\s+|all\s+|any\s+|your\s+)?(?:safety|guard|guards|guardrails?|content\s+guards?|safeguards?|sandbox(?:ing)?|content\s+filters?|moderation|approvals?|permission\s+checks?)\b/g,
    reads: 'lower',
    negatable: true,
  },
  {
    category: 'permission',
    what: 'an instruction to run with elevated privileges',
    pattern: ELEVATED_EXECUTION,
    reads: 'lower',
    negatable: true,
  },
  {
    category: 'permission',
    what: 'an instruction to grant elevated privileges',
    pattern:
      /\bgrant\w*\s+(?:(?:yourself|itself|themselves|(?:the\s+|this\s+)?agents?|(?:the\s+)?\w+\s+role)\s+)?(?:admin(?:istrator)?|root|sudo|superuser)\b|\b(?:grant|give|assign|elevate|escalate|obtain|acquire)\w*\b[^.\n]{0,40}?\b(?:admin(?:istrator)?|root|sudo|superuser|unrestricted)\s+(?:access|rights|privileges?|permissions?|role|shell|mode)\b/g,
    reads: 'lower',
  },
  {
    category: 'permission',
    what: 'an instruction to grant permissions',
    pattern: PERMISSION_GRANT,
    reads: 'lower',
  },
  {
    category: 'permission',
    what: 'an instruction to escalate privileges',
    pattern:
      /\b(?:escalate|elevate)\s+(?:your\s+|its\s+|the\s+agent'?s\s+)?(?:privileges?|permissions?)\b/g,
    reads: 'lower',
  },
  {
    category: 'permission',
    what: 'a jailbreak phrase',
    pattern:
      /\b(?:developer\s+mode|jailbreak|dan\s+mode|do\s+anything\s+now|without\s+any\s+restrictions)\b/g,
    reads: 'lower',
  },
];

const ADVICE: Record<ContentCategory, string> = {
  secret: SECRET_ADVICE,
  personal_data: PERSONAL_ADVICE,
  permission: PERMISSION_ADVICE,
};

/** Everything in `text` that a playbook must not hold, at most one finding per detector. */
export function scanText(text: string): ContentFinding[] {
  const readings = readingsOf(text);
  const findings: ContentFinding[] = [];
  for (const d of DETECTORS) {
    const read = readings[d.reads ?? 'folded'];
    const pattern = new RegExp(d.pattern.source, d.pattern.flags);
    for (let m = pattern.exec(read); m; m = pattern.exec(read)) {
      if (m[0] === '') {
        pattern.lastIndex = m.index + 1;
        continue;
      }
      const after = read.slice(m.index + m[0].length);
      if (d.negatable && negatedBefore(read.slice(0, m.index))) {
        // A negated match may swallow a later clause that is not negated ("never run the
        // linter, run the deploy as root"): look again from just after where it began.
        pattern.lastIndex = m.index + 1;
        continue;
      }
      if (d.confirm && !d.confirm(m[0], after)) continue;
      findings.push({
        category: d.category,
        what: d.what,
        excerpt: d.category === 'permission' ? m[0] : mask(m[0]),
        advice: ADVICE[d.category],
      });
      break;
    }
  }
  // A key also matches the generic detectors, and "password=x" both credential detectors:
  // report the most specific finding only.
  const has = (what: string) => findings.some((f) => f.what === what);
  const specificSecret = findings.some(
    (f) => f.category === 'secret' && !f.what.startsWith('a long high-entropy'),
  );
  return findings.filter(
    (f) =>
      !(specificSecret && f.what.startsWith('a long high-entropy')) &&
      !(f.what === SPELLED_OUT && has('a credential assignment')),
  );
}
