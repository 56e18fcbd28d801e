/**
 * Phrase families: what an instruction that overrides the agent's instructions, widens its
 * permissions or spells out a password looks like in words. They read the folded, lower-cased
 * text (see `readingsOf`), so look-alike letters, invisible characters and odd spacing do not
 * hide a phrase. Each family names verbs and objects, not whole sentences, so that paraphrases
 * are caught, and leaves out what ordinary guidance says ("ignore the warning lines", "check
 * the approval status", "the token budget is 50,000").
 */

/** Words that may stand between an override verb and what it overrides. */
const OVERRIDE_FILLER =
  '(?:(?:all|any|every|of|the|your|my|its|their|these|those|previous(?:ly)?|prior|above|earlier|preceding|system|original|initial|existing|current|given|other|safety)\\s*){0,4}';
/** What an instruction override targets: the agent's instructions themselves. */
const OVERRIDE_OBJECT =
  '(?:instructions?|rules?|guidance|guidelines?|directives?|prompts?|constraints?|restrictions?|polic(?:y|ies)|safeguards?|programming|training|system\\s*message)';
/** "everything you were told", "what you have been instructed", "anything i said before". */
const TOLD =
  "(?:everything|anything|all|what(?:ever)?)\\s+(?:that\\s+)?(?:(?:you|you've|you're|you\\s+have|you\\s+were|were|was|been|have|has|had|i|we|previously|already|before|earlier)\\s+){1,3}(?:told|taught|instructed|given|said|asked)";

export const INSTRUCTION_OVERRIDE = new RegExp(
  `\\b(?:ignore|disregard|forget|override|overrule|discard|abandon|set\\s*aside|pay\\s+no\\s+attention\\s+to|stop\\s+following|(?:do\\s*n[o']?t|never|no\\s+longer)\\s+(?:follow|obey))\\s*(?:${OVERRIDE_FILLER}${OVERRIDE_OBJECT}\\b|${TOLD}\\b)`,
  'g',
);

/**
 * What "accept" or "allow" must be followed by to read as blanket approval: something a reviewer
 * signs off. "Accept any of the three labels" and "allow all retries to finish" are ordinary
 * guidance, so for these two verbs the object is required; "approve" and "authorise" need none.
 */
const APPROVAL_OBJECT =
  '(?:requests?|changes?|actions?|commands?|(?:tool\\s+)?calls?|operations?|prs?|pull\\s+requests?|merge\\s+requests?|merges?|deploy(?:ment)?s?|releases?|transactions?|payments?|transfers?|purchases?|refunds?|permissions?|access|proposals?|edits?|commits?|pushes|submissions?)';

/** "Always approve every request", "auto-approve", "approve everything", "accept every PR". */
export const BLANKET_APPROVAL = new RegExp(
  `\\b(?:(?:approve|authori[sz]e)\\s+(?:every|all|any|each)(?:thing|one)?\\b` +
    `|(?:accept|allow)\\s+(?:(?:every|all|any|each)(?:thing|one)\\b|(?:every|all|any|each)\\s+(?:of\\s+)?(?:(?:the|their|these|those|its|your|incoming|pending|open|new|proposed|submitted)\\s+){0,2}${APPROVAL_OBJECT}\\b)` +
    `|auto[-\\s]?approve\\w*|rubber[-\\s]?stamp\\w*)`,
  'g',
);

/** "Skip the approval step", "bypass code review", "disable confirmation prompts". */
export const SKIPPED_CHECK =
  /\b(?:skip(?:ping)?|bypass(?:ing)?|circumvent(?:ing)?|evad(?:e|ing)|disabl(?:e|ing)|turn(?:ing)?\s+off|switch(?:ing)?\s+off|get(?:ting)?\s+around|overrid(?:e|ing)|do\s+away\s+with)\s+(?:(?:the|any|all|your|an?|its|every|human|manual|required|mandatory|security|safety|user|operator|two[-\s]?person|peer|code)\s+){0,3}(?:approvals?|approval\s+(?:steps?|process|checks?|gates?|flow)|reviews?|review\s+steps?|confirmations?|confirmation\s+(?:steps?|prompts?|dialogs?)|verifications?|authori[sz]ations?|authentication|sign[-\s]?offs?|safety\s+checks?|permission\s+checks?|guardrails?)\b/g;

/** "Always run commands with sudo", "run it as root", "use sudo for everything". */
export const ELEVATED_EXECUTION =
  /\b(?:(?:run|execute|exec|launch|invoke|start)\b[^.\n;]{0,40}?\b(?:with|as|using|via|under|through)\s+(?:sudo|root|(?:an?\s+)?admin(?:istrator)?(?:\s+(?:rights|privileges?|account))?|superuser|elevated\s+(?:rights|privileges?))|(?:always|just)\s+(?:use\s+)?sudo|use\s+sudo\s+(?:for|on|with|to|everywhere|always)|prefix\s+(?:\w+\s+){0,3}with\s+sudo|sudo\s+(?:su|-s|-i|rm\s+-rf|chmod\s+777))\b/g;

/**
 * Negation rule for the families that name an act (blanket approval, skipped checks, switched-off
 * safeguards, sudo/root): "never skip the approval step" and "do not run commands with sudo" say
 * the opposite of what the guard stops, so a match counts as negated when, in the same clause
 * (nothing of `.,;:!?` or a line break between), it is preceded by "never", "not", "do not",
 * "don't", "must not", "no need to" or "without" followed by at most two of the harmless words
 * in `NEGATION_FILLER` ("don't ever skip", "never try to bypass"). Any other word in between
 * ends the negation: "don't hesitate to skip", "never forget to run it as root" are refused, as
 * is a doubled negation ("don't never skip"). Erring this way keeps a refusal of odd phrasing
 * rather than a pass for a disguised instruction.
 */
const NEGATION =
  "(?:never|not|n[o']?t|don[’']?t|dont|mustn[’']?t|shouldn[’']?t|won[’']?t|cannot|can[’']?t|no\\s+need\\s+to|without)";
const NEGATION_FILLER =
  '(?:ever|even|just|simply|quietly|silently|automatically|manually|accidentally|try\\s+to|attempt\\s+to|ever\\s+try\\s+to|be\\s+tempted\\s+to|need\\s+to|have\\s+to|to)';
const NEGATED_TAIL = new RegExp(`(?:^|[^a-z’'])(${NEGATION})\\s+(?:${NEGATION_FILLER}\\s+){0,2}$`);
const NEGATION_BEFORE = new RegExp(`(?:^|[^a-z’'])${NEGATION}\\s+$`);

/**
 * Whether the text just before a match (`before`, the lower-cased reading) negates it, by the
 * rule above.
 */
export function negatedBefore(before: string): boolean {
  const clause = before.slice(
    Math.max(...['.', ',', ';', ':', '!', '?', '\n'].map((c) => before.lastIndexOf(c))) + 1,
  );
  const m = NEGATED_TAIL.exec(clause);
  if (!m) return false;
  // "don't never skip": a negation of a negation is not one.
  const head = clause.slice(0, m.index + m[0].indexOf(m[1]));
  return !NEGATION_BEFORE.test(head);
}

/** "Grant yourself all permissions", "give the agent full access". */
export const PERMISSION_GRANT =
  /\b(?:grant|give|assign|add)\w*\s+(?:(?:yourself|itself|themselves|it|the\s+agent|agents?|the\s+\w+\s+role|every(?:one|body)|the\s+bot)\s+)(?:all\s+|full\s+|more\s+|extra\s+|additional\s+|every\s+|unrestricted\s+|unlimited\s+)*(?:permissions?|access|privileges?|rights|scopes?)\b|\b(?:grant|give)\w*\s+(?:\w+\s+){0,3}(?:full|unrestricted|unlimited|all)\s+(?:permissions?|access|privileges?|rights)\b/g;

/**
 * "password is hunter2", "the api key was sk123": a credential word, then "is", "was",
 * "equals", "set to" or ":"/"=", then a value. Which values count is for `spelledSecretValue`.
 */
export const SPELLED_CREDENTIAL =
  /\b(?:password|passwd|pwd|passphrase|passcode|secret|token|api[\s_-]?key|access[\s_-]?key|auth[\s_-]?token|client[\s_-]?secret|private[\s_-]?key|pin\s+code|credentials?)\s*(?:is|was|=|:|equals|set\s+to|will\s+be|reads)\s*["'`“‘]?[^\s"'`,;”’]+["'`”’]?[.!?,;]?/g;

/** Words that follow "the password is" in guidance about passwords rather than a password. */
const NOT_A_VALUE = new Set(
  (
    'a an the in on at of for from to by with not no required missing wrong incorrect invalid ' +
    'expired stored set empty blank correct valid needed optional secret hidden masked redacted ' +
    'rotated unknown changed ok fine too never always only still already being usually often ' +
    'rejected accepted sent read kept held provided supplied passed given configured defined ' +
    'loaded managed shared encrypted hashed saved generated issued revoked cached long short ' +
    'weak strong reused leaked exposed checked verified protected private public present absent ' +
    'null undefined none unset later here there this that it its your their our my'
  ).split(' '),
);

/**
 * Whether a `SPELLED_CREDENTIAL` match spells a value: `=` always counts (code-like); otherwise
 * a value with a digit or a symbol ("hunter2"), a quoted value, or a word that ends the clause
 * (`after` is the text that follows) and is not one of the words guidance about credentials uses
 * ("the password is required", "the token is sent with each call").
 */
export function spelledSecretValue(match: string, after: string): boolean {
  const m =
    /(is|was|=|:|equals|set\s+to|will\s+be|reads)\s*(["'`“‘]?)([^\s"'`,;”’]+)["'`”’]?([.!?,;]?)$/.exec(
      match,
    );
  if (!m) return false;
  const [, sep, open, rawValue, end] = m;
  const value = rawValue.replace(/[.!?]+$/, '');
  if (!value) return false;
  if (sep === '=') return true;
  if (open) return value.length >= 3;
  if (/[\d\W_]/.test(value)) return value.length >= 4 && !/^[\d.,]+$/.test(value);
  if (sep === ':' || NOT_A_VALUE.has(value) || value.length < 4) return false;
  // "the password is swordfish." ends its clause; "the password is swordfish for staging" too
  // little of a clue to tell from prose, so only the end of a clause counts.
  return Boolean(end) || rawValue !== value || /^\s*(?:$|[.!?,;)\n]|and\b|but\b)/.test(after);
}
