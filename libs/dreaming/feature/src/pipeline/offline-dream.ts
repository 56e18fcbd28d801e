import {
  emptyMemory,
  type DreamMemory,
  type DreamReport,
  type PublishedPlaybook,
  type SplitScore,
} from '@reverie/dreaming-domain';
import type { DreamProgress } from '@reverie/dreaming-data-access';
import { playbookIdFor } from '@reverie/playbooks-data-access';
import { parseOutcomeDefinition } from '@reverie/outcomes-domain';
import { renderRules, type PlaybookVersion } from '@reverie/playbooks-domain';
import type { RulesByRole } from '../environments/environment-dreamer';
import { DreamControl, LOCAL_LEASE, type DreamLease } from './dream-control';
import { runDreamStages, type DreamPorts } from './dream-stages';
import { gradeDay, type OfflineTasks } from './offline-sessions';

/**
 * The stages' ports in memory: playbooks by role (each new version becomes active, as an
 * `apply` dream's would), the outcome definition given, and the memory of refusals across cycles.
 */
export class LocalDreamPorts implements DreamPorts {
  memory: DreamMemory;

  constructor(
    readonly agentId: string,
    environment: string,
    readonly playbooks: Map<string | null, PlaybookVersion | null>,
    private readonly definition: unknown | null,
  ) {
    this.memory = emptyMemory(agentId, environment);
  }

  async outcomeDefinition() {
    return this.definition ? { definition: this.definition, version: 1 } : null;
  }

  async currentPlaybooks(roles: readonly (string | null)[]) {
    return new Map(roles.map((r) => [r, this.playbooks.get(r) ?? null]));
  }

  async store(
    candidate: PlaybookVersion,
    _status: 'active' | 'proposed',
  ): Promise<PublishedPlaybook> {
    const role = candidate.role ?? null;
    const version = (this.playbooks.get(role)?.version ?? 0) + 1;
    this.playbooks.set(role, { ...candidate, version, status: 'active' });
    return { role, version, status: 'active' };
  }

  async loadMemory() {
    return structuredClone(this.memory);
  }

  async saveMemory(memory: DreamMemory) {
    this.memory = structuredClone(memory);
  }

  rules(roles: readonly (string | null)[]): RulesByRole {
    return new Map(
      roles.map((r) => {
        const v = this.playbooks.get(r);
        return [r, v ? renderRules(v) : []];
      }),
    );
  }
}

export interface OfflineDreamOptions {
  agentId: string;
  tasks: OfflineTasks;
  /** Dreams to run in a row at most (each on a fresh day of sessions with the latest playbooks). */
  cycles: number;
  /** The playbooks to start from, by role (none: empty). */
  start: Map<string | null, PlaybookVersion | null>;
  /** The operator's outcome definition (null: the environment's default rubric). */
  outcome: unknown | null;
  maxSimulations: number;
  /**
   * What the tasks came from (the `--cases` folder or `--scenarios` file, as given): what a
   * version whose rules a dream changed records it learned from (`learnedFrom`).
   */
  input?: string;
  /** Called after each dream with its report. */
  onCycle?: (cycle: number, report: DreamReport) => void | Promise<void>;
  /**
   * Called as each cycle goes: `sessions` while the tasks run with the current playbooks, then
   * each stage as it starts and moves on (what the dreamer service records as a dream's progress).
   */
  onProgress?: (cycle: number, progress: OfflineProgress) => void;
  /**
   * Called with each note of a dream as its stages go (the splits once collect has read them, as
   * the next stage starts), not only in the report at its end.
   */
  onNote?: (cycle: number, note: string) => void;
}

/**
 * Where an offline cycle is: a dream's progress as the dreamer service stores it, its stage one
 * of `DREAM_STAGES`, or `sessions` (the day's runs before the dream).
 */
export type OfflineProgress = DreamProgress;

/** One point of the test-split curve: the test split after `cycle` dreams. */
export interface CurvePoint {
  cycle: number;
  test: SplitScore | null;
}

export interface OfflineDreamResult {
  playbooks: Map<string | null, PlaybookVersion | null>;
  reports: DreamReport[];
  /** Test split before any dream (cycle 0) and after each. */
  curve: CurvePoint[];
  /** Why the cycles stopped. */
  stopped: string;
}

/**
 * Dreams offline, in-process, with no stack: each cycle runs every task with the current
 * playbooks (a "day" of sessions, graded by the objective), then the same stages a dream runs in
 * the dreamer service (runDreamStages) over in-memory ports. Stops after `cycles`, or early when
 * a dream finds nothing left to learn.
 */
export async function runOfflineDream(o: OfflineDreamOptions): Promise<OfflineDreamResult> {
  const { dreamer } = o.tasks;
  const ports = new LocalDreamPorts(o.agentId, dreamer.environment, new Map(o.start), o.outcome);
  const objective = o.outcome ? parseOutcomeDefinition(o.outcome) : dreamer.defaultObjective;
  const reports: DreamReport[] = [];
  const curve: CurvePoint[] = [];
  let stopped = `ran ${o.cycles} cycle(s)`;
  for (let cycle = 1; cycle <= o.cycles; cycle++) {
    const dreamId = `drm_offline_${cycle}`;
    // A cycle starts with its runs: the report's start is that, not the moment it is written.
    const startedAt = new Date();
    const sessionsAt = (completed: number, total: number) =>
      o.onProgress?.(cycle, {
        stage: 'sessions',
        completed,
        total,
        message: `${o.tasks.tasks} task(s) with the current playbooks`,
      });
    sessionsAt(0, 0);
    const runs = await o.tasks.run(ports.rules(dreamer.roles), sessionsAt);
    const sessions = await gradeDay(dreamer.environment, o.agentId, cycle, runs, objective);
    let notesSeen = 0;
    const newNotes = () => {
      for (const note of control.notes.slice(notesSeen)) o.onNote?.(cycle, note);
      notesSeen = control.notes.length;
    };
    const control: DreamControl = new DreamControl(
      progressLease(cycle, (c, p) => {
        newNotes();
        o.onProgress?.(c, p);
      }),
      dreamId,
      'offline',
      60_000,
    );
    const spec = {
      _id: dreamId,
      agentId: o.agentId,
      instructions: '',
      model: { provider: 'builtin' as const, model: 'builtin', maxTokens: 0 },
      publish: 'apply' as const,
    };
    control.found({ sessionsReviewed: sessions.length });
    control.notes.push(
      `offline dream ${cycle} of ${o.cycles}: ${sessions.length} session(s) run with the current playbooks`,
    );
    const result = await runDreamStages({
      spec: spec as never,
      control,
      ports,
      settings: {
        maxSimulations: o.maxSimulations,
        ...(o.input !== undefined ? { learnedInput: o.input } : {}),
      },
      dreamer,
      sessions,
    });
    newNotes();
    const report = control.report(
      { _id: dreamId, agentId: o.agentId, createdAt: startedAt },
      'completed',
      new Date(),
    );
    reports.push(report);
    if (cycle === 1) curve.push({ cycle: 0, test: report.test?.before ?? null });
    curve.push({ cycle, test: report.test?.after ?? report.test?.before ?? null });
    await o.onCycle?.(cycle, report);
    if (result.exhausted) {
      stopped = `stopped after cycle ${cycle}: nothing left to learn`;
      break;
    }
    // The tasks split the same way every cycle: with none to validate on, no later dream could
    // promote anything either.
    if (report.validation?.heldOut === 0) {
      stopped = `stopped after cycle ${cycle}: no validation task to promote on (give more tasks)`;
      break;
    }
  }
  return { playbooks: ports.playbooks, reports, curve, stopped };
}

/** The local lease, also handing each stage's progress to `onProgress`. */
function progressLease(
  cycle: number,
  onProgress: NonNullable<OfflineDreamOptions['onProgress']>,
): DreamLease {
  return {
    heartbeat: async (...args) => {
      const progress = args[3]?.progress;
      if (progress) onProgress(cycle, progress);
      return LOCAL_LEASE.heartbeat(...args);
    },
  };
}

/**
 * A playbook as `GET /v1/agents/:id/playbook` answers it (`?role=` for a team's role), so a file
 * written offline and the API's answer are interchangeable. An agent with roles gets a list, one
 * per role, each in that same form.
 */
export function presentPlaybook(agentId: string, role: string | null, v: PlaybookVersion | null) {
  const base = {
    type: 'playbook_version' as const,
    playbookId: v?.playbookId ?? playbookIdFor(agentId, role),
    agentId,
    role,
  };
  if (!v)
    return {
      ...base,
      version: 0,
      parentVersion: null,
      status: 'empty' as const,
      author: null,
      message: null,
      createdAt: null,
      publishedAt: null,
      review: null,
      diff: { added: [], removed: [], changed: [] },
      entries: [],
      learnedFrom: [],
    };
  return {
    ...base,
    version: v.version,
    parentVersion: v.parentVersion,
    status: v.status,
    author: v.author,
    message: v.message ?? null,
    createdAt: v.createdAt,
    // Offline versions are active from the moment they are made, and never reviewed.
    publishedAt: v.status === 'active' ? v.createdAt : null,
    review: null,
    diff: v.diff,
    entries: v.entries,
    learnedFrom: v.learnedFrom ?? [],
  };
}
