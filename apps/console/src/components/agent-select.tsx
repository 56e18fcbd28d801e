import { useApi } from '../auth';
import { useLoad } from './common';

/** A labelled select of the tenant's agents (GET /v1/agents). */
export function AgentSelect({
  value,
  onChange,
  allowAll = true,
  id = 'agent-filter',
  label = 'Agent',
}: {
  value: string;
  onChange: (agentId: string) => void;
  allowAll?: boolean;
  id?: string;
  label?: string;
}) {
  const api = useApi();
  const agents = useLoad(() => api.agents(), []);
  return (
    <span className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {allowAll ? (
          <option value="">All agents</option>
        ) : (
          <option value="">Choose an agent…</option>
        )}
        {agents.data?.data.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
    </span>
  );
}

export function useAgentNames(): Map<string, string> {
  const api = useApi();
  const agents = useLoad(() => api.agents(), []);
  return new Map(agents.data?.data.map((a) => [a.id, a.name]) ?? []);
}
