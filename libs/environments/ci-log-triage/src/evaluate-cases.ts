import type { PlaybookRule } from '@reverie/playbooks-domain';
import { extractWithLineRules } from './builtin-extractor';
import { countLines, type LineRange } from './line-range';
import { detectLogPrefixes, type LogPrefixKind } from './log-format';
import { runEpisode } from './episode';
import { toLineRules, type SkippedRule } from './playbook-line-rules';
import { aggregate, scoreAnswer, type AggregateScore, type AnswerScore } from './scoring';
import type { TriageCase } from './triage-case';

/** One case's answer and score under a rule set. */
export interface CaseEvaluation extends AnswerScore {
  caseId: string;
  /** The case's declared format (groundtruth line 1) and the CI columns found on its fail.log. */
  format: string;
  prefixes: LogPrefixKind[];
  lines: number;
  labelled: number;
  answered: number;
  answer: LineRange[];
}

/** How often one rule's condition matched: only those cases count as the rule being used. */
export interface RuleUse {
  entryId: string;
  title: string;
  /** Cases where the condition matched at least one line. */
  matchedCases: number;
  /** Cases where it changed the answer. */
  changedCases: number;
}

export interface TriageEvaluation {
  cases: CaseEvaluation[];
  aggregate: AggregateScore;
  rules: RuleUse[];
  /** Rules of the playbook this environment cannot run (the evaluation ran without them). */
  skipped: SkippedRule[];
}

/**
 * Runs the builtin extractor with a playbook's rules on labelled cases and scores every answer:
 * what `reverie eval triage` prints. Labels are read only to score.
 */
export function evaluateTriageCases(
  cases: readonly TriageCase[],
  rules: readonly PlaybookRule[],
): TriageEvaluation {
  const adapted = toLineRules(rules);
  const uses = new Map<string, RuleUse>(
    rules
      .filter((r) => !adapted.skipped.some((s) => s.entryId === r.entryId))
      .map((r) => [
        r.entryId,
        { entryId: r.entryId, title: r.title, matchedCases: 0, changedCases: 0 },
      ]),
  );
  const evaluations = cases.map((c): CaseEvaluation => {
    const episode = runEpisode(c, {
      extractor: (input) => extractWithLineRules(input, adapted.rules),
    });
    for (const s of episode.steps) {
      const use = s.kind === 'rule' ? uses.get(s.ruleId) : undefined;
      if (!use || s.kind !== 'rule') continue;
      if (s.matched > 0) use.matchedCases++;
      if (s.added.length || s.removed.length) use.changedCases++;
    }
    return {
      caseId: c.id,
      format: c.format,
      prefixes: detectLogPrefixes(c.failLines),
      lines: c.failLines.length,
      labelled: countLines(c.errorRanges),
      answered: countLines(episode.answer),
      answer: episode.answer,
      ...scoreAnswer(episode.answer, c.errorRanges),
    };
  });
  return {
    cases: evaluations,
    aggregate: aggregate(evaluations),
    rules: [...uses.values()],
    skipped: adapted.skipped,
  };
}
