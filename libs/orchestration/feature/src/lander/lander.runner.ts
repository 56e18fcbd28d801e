import type { RunSpec } from '@reverie/contracts';
import {
  BuiltinLunarTeam,
  flyLanding,
  LUNAR_LANDER_ENVIRONMENT,
  LUNAR_TEAM,
  resolveScenario,
  type RoleRules,
} from '@reverie/lunar-lander';
import { renderMarkdown, renderRules } from '@reverie/playbooks-domain';
import { unknownRoles } from '@reverie/agent-team';
import {
  SessionFailure,
  type EnvironmentRun,
  type EnvironmentRunner,
  type RunPlan,
} from '../runs/environment-runner';
import {
  MODEL_TEAM_DEFAULTS,
  ModelLunarTeam,
  type LunarRole,
  type LunarRoleModel,
} from './model-lunar-team';

/**
 * lunar-lander: the Commander, the Detector and the Navigator land a craft on a scenario (a
 * bundled family's or a whole one given in the task). Each role follows its own playbook
 * (`pbk_<agent>.<role>`). Events go out step by step, so a long landing shows progress. Each role
 * is the builtin controller or, with a model provider, a model with tools (see ModelLunarTeam).
 */
export class LanderRunner implements EnvironmentRunner {
  readonly environment = LUNAR_LANDER_ENVIRONMENT.name;

  plan(run: RunSpec): RunPlan {
    const scenario = resolveScenario(run.task);
    const unknown = unknownRoles(LUNAR_TEAM, Object.keys(run.team ?? {}));
    if (unknown) throw new SessionFailure(unknown, 'invalid_team');
    return { title: `lunar landing ${scenario.id}`, roles: LUNAR_TEAM.roles };
  }

  /**
   * Roles set to `builtin` are the builtin team's, following their playbook's rules; the others
   * are models (a mixed team is fine: the builtin roles keep their controllers and rules, the
   * model roles read their playbook as markdown). A team with no model runs as before.
   */
  async execute(session: EnvironmentRun): Promise<void> {
    const scenario = resolveScenario(session.run.task);
    const rules: RoleRules = {};
    const models: Partial<Record<LunarRole, LunarRoleModel>> = {};
    for (const role of LUNAR_TEAM.roles as readonly LunarRole[]) {
      const settings = session.settings(role);
      const playbook = session.playbook(role);
      if (settings.provider === 'builtin') {
        if (playbook) rules[role] = renderRules(playbook);
        continue;
      }
      models[role] = {
        provider: session.provider(settings),
        model: settings.model,
        maxTokens: settings.maxTokens,
        playbookMarkdown: playbook
          ? renderMarkdown({ ...playbook, role: playbook.role ?? undefined })
          : null,
      };
    }
    const builtin = new BuiltinLunarTeam(rules);
    if (!Object.keys(models).length) {
      let steps = 0;
      await flyLanding(scenario, builtin, {
        onEvents: async (events) => {
          session.append(events);
          // Publish in slices rather than per step (a landing has hundreds of steps); the last
          // slice goes out with the ended event.
          if (++steps % FLUSH_EVERY_STEPS === 0) await session.flush();
        },
      });
      return;
    }
    const team = new ModelLunarTeam(models, {
      builtin,
      // The session's bound on model turns caps each decision's tool loop too.
      maxTurns: Math.min(MODEL_TEAM_DEFAULTS.maxTurns, session.maxModelTurns),
      ...(session.revision ? { feedback: session.revision.feedback } : {}),
    });
    // Model steps take seconds: publish each as it is done, so progress shows.
    await session.flush();
    await flyLanding(scenario, team, {
      onEvents: async (events) => {
        session.append(events);
        await session.flush();
      },
    });
  }
}

const FLUSH_EVERY_STEPS = 20;
