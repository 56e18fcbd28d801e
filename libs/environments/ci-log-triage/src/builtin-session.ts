import type { SessionEventBody } from '@reverie/contracts';
import type { LineRule } from './apply-rule';
import { extractWithLineRules } from './builtin-extractor';
import { runEpisode, type Episode } from './episode';
import type { LineRange } from './line-range';
import { scoreAnswer } from './scoring';
import type { TriageCase } from './triage-case';

/** The role that answers a ci-log-triage task (a team of one). */
export const TRIAGER = 'triager';

export interface TriageResult {
  answer: LineRange[];
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Runs the builtin triager on one case with the playbook's rules and returns what the session
 * records: every step as events (deterministic client ids, so a re-run stores nothing twice) and
 * the result graded against the case's labels, which only the environment sees.
 */
export function runBuiltinTriage(
  triageCase: TriageCase,
  rules: readonly LineRule[],
): { events: SessionEventBody[]; result: TriageResult } {
  const episode = runEpisode(triageCase, {
    extractor: (input) => extractWithLineRules(input, rules),
  });
  const result = triageResult(episode.answer, triageCase.errorRanges);
  return { events: [...episodeEvents(episode), resultEvent(result, episode.steps.length)], result };
}

/** An answer scored against the case's labels, as a triage session records it. */
export function triageResult(answer: LineRange[], labels: readonly LineRange[]): TriageResult {
  const { precision, recall, f1 } = scoreAnswer(answer, labels);
  return { answer, precision, recall, f1 };
}

/** One episode's steps as session events, attributed to the triager with their step numbers. */
export function episodeEvents(episode: Episode): SessionEventBody[] {
  return episode.steps.flatMap((s): SessionEventBody[] => {
    const at = { actor: TRIAGER, step: s.step };
    const id = (kind: string) => `step-${s.step}-${kind}`;
    switch (s.kind) {
      case 'heuristic':
        return [
          {
            ...at,
            clientEventId: id('observation'),
            type: 'observation',
            data: {
              kind: 'heuristic',
              newLines: s.newLines,
              candidates: s.candidates,
              droppedInPassLog: s.droppedInPassLog,
              droppedByCap: s.droppedByCap,
              stepTail: s.stepTail,
            },
          },
          {
            ...at,
            clientEventId: id('action'),
            type: 'action',
            name: 'select_candidates',
            params: { ranges: s.ranges },
          },
        ];
      case 'rule':
        return [
          {
            ...at,
            clientEventId: id('action'),
            type: 'action',
            name: 'apply_rule',
            params: {
              entryId: s.ruleId,
              action: s.action,
              matched: s.matched,
              added: s.added,
              removed: s.removed,
            },
          },
        ];
      case 'submit':
        return [
          {
            ...at,
            clientEventId: id('action'),
            type: 'action',
            name: 'submit_answer',
            params: { ranges: s.answer },
          },
        ];
    }
  });
}

/** The graded answer, recorded as the session's last observation (at the submitting step). */
export function resultEvent(result: TriageResult, step: number): SessionEventBody {
  return {
    clientEventId: `step-${step}-result`,
    type: 'observation',
    actor: TRIAGER,
    step,
    data: { result: { ...result } },
  };
}
