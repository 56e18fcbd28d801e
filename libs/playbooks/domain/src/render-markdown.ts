import { describeRule } from './describe-rule';
import type { PlaybookVersion } from './version.schema';

export interface RenderOptions {
  /** The role reading the playbook, named in the heading (defaults to the playbook's own role). */
  role?: string;
}

/**
 * The playbook as Markdown for a model's system prompt: active entries only, in playbook order
 * (which only adds change, so the text stays stable and prompt-cacheable between versions), each
 * headed by its id so the model can cite it. Counters and evidence are left out: they are for
 * people and would change the prompt on every session.
 */
export function renderMarkdown(
  version: Pick<PlaybookVersion, 'agentId' | 'role' | 'version' | 'entries'>,
  options: RenderOptions = {},
): string {
  const role = options.role ?? version.role;
  const active = version.entries.filter((e) => e.status === 'active');
  const lines = [
    '# Playbook',
    '',
    `Lessons learned from past sessions of agent "${version.agentId}"${role ? `, for the ${role} role` : ''} (playbook version ${version.version}).`,
  ];
  if (!active.length) {
    lines.push('', 'There are no lessons yet.');
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    'Follow them where they apply. When one guides a decision, cite its id in brackets, for example ' +
      `[${active[0].id}].`,
  );
  for (const e of active) {
    lines.push('', `## [${e.id}] ${e.title}`, '', e.guidance.trim());
    if (e.rule) lines.push('', `Rule: ${describeRule(e.rule)}.`);
    lines.push('', `Why: ${e.rationale.trim()}`);
  }
  return `${lines.join('\n')}\n`;
}
