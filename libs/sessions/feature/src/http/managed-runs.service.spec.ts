import { KafkaUnavailableError, type EventPublisher } from '@reverie/kafka';
import type { NewManagedSession, SessionRepository } from '@reverie/sessions-data-access';
import { ManagedRunsService } from './managed-runs.service';

// A broker that fails half-way through a large batch cannot be produced on demand here, so this
// one case uses stand-ins; the integration tests cover the working path on a real broker.
describe('ManagedRunsService when sending run commands fails', () => {
  const sessions = (n: number): NewManagedSession[] =>
    Array.from({ length: n }, (_, i) => ({
      _id: `ses_${String(i).padStart(4, '0')}`,
      agentId: 'agt_1',
      run: { environment: 'ci-log-triage', task: { caseId: `c${i}` } },
      batchId: 'bat_1',
    }));

  it('cancels the sessions whose commands were not acknowledged and reports the failure', async () => {
    const sent: string[] = [];
    const publisher = {
      publish: jest.fn(async (_topic: string, messages: { sessionId: string }[]) => {
        if (sent.length >= 400) throw new Error('KafkaJS: broker went away');
        sent.push(...messages.map((m) => m.sessionId));
      }),
    };
    const cancelUnsent = jest.fn(async () => undefined);
    const service = new ManagedRunsService(
      { cancelUnsent } as unknown as SessionRepository,
      publisher as unknown as EventPublisher,
    );
    const all = sessions(450);

    const models = { agentModel: { provider: 'builtin' as const } };
    await expect(
      service.send('acme', service.commandsFor('acme', 'agt_1', models, all, new Date())),
    ).rejects.toThrow(/broker went away/);

    expect(sent).toEqual(all.slice(0, 400).map((s) => s._id));
    expect(cancelUnsent).toHaveBeenCalledWith(
      'acme',
      all.slice(400).map((s) => s._id),
      expect.any(Date),
    );
  });

  it('cancels a session whose command got no acknowledgement in time too: a late command is skipped, a keyed retry reopens it', async () => {
    const publisher = {
      publish: jest.fn(async () => {
        throw new KafkaUnavailableError('reverie.runs.commands.v1', 'no acknowledgement');
      }),
    };
    const cancelUnsent = jest.fn(async () => undefined);
    const service = new ManagedRunsService(
      { cancelUnsent } as unknown as SessionRepository,
      publisher as unknown as EventPublisher,
    );
    const models = { agentModel: { provider: 'builtin' as const } };
    const commands = service.commandsFor('acme', 'agt_1', models, sessions(1), new Date(0));
    expect(commands[0].id).toBe('run_ses_0000');

    await expect(service.send('acme', commands)).rejects.toBeInstanceOf(KafkaUnavailableError);
    expect(cancelUnsent).toHaveBeenCalledWith('acme', ['ses_0000'], expect.any(Date));
  });
});
