import type { RunSpec } from '@reverie/contracts';
import {
  BuiltinLunarTeam,
  flyLanding,
  LUNAR_TEAM,
  resolveScenario,
  type RoleRules,
} from '@reverie/lunar-lander';
import { renderRules } from '@reverie/playbooks-domain';
import { unknownRoles } from '@reverie/agent-team';
import {
  SessionFailure,
  type EnvironmentRun,
  type EnvironmentRunner,
  type RunPlan,
} from '../runs/environment-runner';

/**
 * lunar-lander: the Commander, the Detector and the Navigator land a craft on a scenario (a
 * bundled family's or a whole one given in the task). Each role follows its own playbook
 * (`pbk_<agent>.<role>`). Events go out step by step, so a long landing shows progress.
 */
export class LanderRunner implements EnvironmentRunner {
  readonly environment = 'lunar-lander' as const;

  plan(run: RunSpec): RunPlan {
    const scenario = resolveScenario(run.task);
    const unknown = unknownRoles(LUNAR_TEAM, Object.keys(run.team ?? {}));
    if (unknown) throw new SessionFailure(unknown, 'invalid_team');
    return { title: `lunar landing ${scenario.id}`, roles: LUNAR_TEAM.roles };
  }

  async execute(session: EnvironmentRun): Promise<void> {
    const scenario = resolveScenario(session.run.task);
    const providers = LUNAR_TEAM.roles.map((role) => session.settings(role).provider);
    if (providers.some((p) => p !== 'builtin'))
      throw new SessionFailure(
        'the lunar team runs with the builtin provider only for now; set every role to {"provider":"builtin"}',
        'unsupported_provider',
      );
    const rules: RoleRules = {};
    for (const role of LUNAR_TEAM.roles) {
      const playbook = session.playbook(role);
      if (playbook) rules[role as keyof RoleRules] = renderRules(playbook);
    }
    let steps = 0;
    await flyLanding(scenario, new BuiltinLunarTeam(rules), {
      onEvents: async (events) => {
        session.append(events);
        // Publish in slices rather than per step (a landing has hundreds of steps); the last
        // slice goes out with the ended event.
        if (++steps % FLUSH_EVERY_STEPS === 0) await session.flush();
      },
    });
  }
}

const FLUSH_EVERY_STEPS = 20;
