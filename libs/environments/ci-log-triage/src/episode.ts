import { parseAnswer } from './answer.schema';
import { builtinExtractor, type Extractor, type TriageStep } from './builtin-extractor';
import { mergeRanges, type LineRange } from './line-range';
import type { TriageCase } from './triage-case';
import type { TriageRule } from './triage-rule.schema';

export interface EpisodeOptions {
  extractor?: Extractor;
  rules?: readonly TriageRule[];
}

export interface Episode {
  caseId: string;
  answer: LineRange[];
  /** Numbered from 1 in the order taken; the last is always the submitted answer. */
  steps: Array<TriageStep & { step: number }>;
}

/**
 * Runs one triage episode: the extractor (the builtin one unless given) with the rules, its
 * answer validated against fail.log and submitted. The steps are what a session records as
 * events, so a grader or a dream can point at the step that went wrong. Labels are not read.
 */
export function runEpisode(triageCase: TriageCase, options: EpisodeOptions = {}): Episode {
  const { extractor = builtinExtractor, rules = [] } = options;
  const input = { failLines: triageCase.failLines, passLines: triageCase.passLines };
  const { answer, steps } = extractor(input, rules);
  // Merged first, and no cap on the count: a rule may leave many small ranges, which is a worse
  // answer for the grader to judge, not an invalid one.
  const lineCount = triageCase.failLines.length;
  const submitted = parseAnswer(mergeRanges(answer), lineCount, Number.MAX_SAFE_INTEGER);
  const all: TriageStep[] = [...steps, { kind: 'submit', answer: submitted }];
  return {
    caseId: triageCase.id,
    answer: submitted,
    steps: all.map((s, i) => ({ ...s, step: i + 1 })),
  };
}
