import type { PlaybookVersionActivated } from '@reverie/contracts';
import { PlaybookCatalog } from './playbook-catalog';

const announced = (
  version: number,
  entries: Record<string, unknown>[] = [],
): PlaybookVersionActivated => ({
  id: `pbk_agt_1:v${version}:activated`,
  type: 'playbook.version_activated',
  tenantId: 'acme',
  agentId: 'agt_1',
  occurredAt: '2026-11-22T00:00:00Z',
  schemaVersion: 1,
  payload: { playbookId: 'pbk_agt_1', role: null, version, entries },
});

describe('PlaybookCatalog', () => {
  it('keeps the newest version when an older one arrives late', () => {
    const catalog = new PlaybookCatalog();
    catalog.activate(announced(4));
    catalog.activate(announced(3));
    expect(catalog.get('acme', 'agt_1')?.version).toBe(4);
    catalog.activate(announced(5));
    expect(catalog.get('acme', 'agt_1')?.version).toBe(5);
  });

  it('leaves out entries that break the entry schema and keeps the rest of the version', () => {
    const catalog = new PlaybookCatalog();
    const active = catalog.activate(announced(1, [{ id: 'broken' }]));
    expect(active).toMatchObject({ version: 1, entries: [] });
    expect(catalog.get('acme', 'agt_1', 'navigator')).toBeNull();
  });
});
