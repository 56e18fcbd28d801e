import { TOPICS } from '@reverie/contracts';
import { expectEventually } from '@reverie/testing';
import {
  tapTopic,
  unconnectedPublisher,
  uniqueName,
  type DataAccessContext,
  type TopicTap,
  type UnconnectedPublisher,
} from '@reverie/testing/integration';
import { startPlaybooksDataAccess } from '../../test/playbooks-data-access.context';
import { PlaybookVersionRepository } from '../repositories/playbook-version.repository';
import { PlaybookVersionWriter } from '../writer/playbook-version.writer';
import { PlaybookTrialRepository } from './playbook-trial.repository';
import { PlaybookTrialWriter } from './playbook-trial.writer';

/**
 * Trial announcements survive Kafka refusing them: the real MongoDB-wire server, the real broker,
 * and a real kafkajs producer that is first not connected (every send refused), then connected.
 */
describe('PlaybookTrialWriter announcements that Kafka refused', () => {
  const tenantId = uniqueName('trial-announce');
  let context: DataAccessContext;
  let repo: PlaybookTrialRepository;
  let writer: PlaybookTrialWriter;
  let kafka: UnconnectedPublisher;
  let tap: TopicTap<{ id: string; type: string; tenantId: string }>;
  const announced = () => tap.messages.map(({ id, type }) => ({ id, type }));

  beforeAll(async () => {
    context = await startPlaybooksDataAccess(uniqueName('test_trial_announce'));
    repo = context.app.get(PlaybookTrialRepository);
    kafka = unconnectedPublisher();
    writer = new PlaybookTrialWriter(
      repo,
      context.app.get(PlaybookVersionRepository),
      context.app.get(PlaybookVersionWriter),
      kafka.publisher,
    );
    tap = await tapTopic<{ id: string; type: string; tenantId: string }>(
      TOPICS.dreams,
      (m) => m.tenantId === tenantId,
    );
  });
  afterAll(async () => {
    await tap?.stop();
    await kafka?.close();
    await context?.close();
  });

  it('keeps a refused start and end pending, publishes both in order once Kafka takes them, and only once', async () => {
    const t0 = new Date(Date.now() - 60_000);
    const agentId = uniqueName('agt');
    const trial = await writer.start(
      tenantId,
      {
        agentId,
        dreamId: uniqueName('drm'),
        publish: 'propose',
        playbooks: [{ role: null, playbookId: `pbk_${agentId}`, candidate: 2, control: 1 }],
      },
      t0,
    );
    // The kill switch ends it, and Kafka refuses that too.
    expect(await writer.stopRunning(tenantId, agentId, 'stopped by a person', t0)).toEqual([
      trial._id,
    ]);
    const stored = await repo.findById(tenantId, trial._id);
    expect(stored).toMatchObject({ status: 'stopped', announcePending: ['started', 'ended'] });
    // Still refused: nothing published, nothing lost.
    expect(await writer.announcePending(new Date())).toBe(0);
    expect((await repo.unannounced(new Date())).map((t) => t._id)).toEqual([trial._id]);
    // Not due yet when asked for those older than the trial.
    expect(await repo.unannounced(new Date(t0.getTime() - 1))).toEqual([]);

    await kafka.connect();
    expect(await writer.announcePending(new Date())).toBe(2);
    await expectEventually(() =>
      expect(announced()).toEqual([
        { id: `${trial._id}:started`, type: 'playbook.trial_started' },
        { id: `${trial._id}:ended`, type: 'playbook.trial_ended' },
      ]),
    );
    expect((await repo.findById(tenantId, trial._id))?.announcePending).toEqual([]);
    expect(await writer.announcePending(new Date())).toBe(0);

    // A trial started while Kafka takes sends is announced at once and leaves nothing pending.
    const next = await writer.start(tenantId, {
      agentId: uniqueName('agt'),
      dreamId: uniqueName('drm'),
      publish: 'propose',
      playbooks: [{ role: null, playbookId: 'pbk_next', candidate: 2, control: 1 }],
    });
    expect((await repo.findById(tenantId, next._id))?.announcePending).toEqual([]);
    await expectEventually(() => expect(announced()).toHaveLength(3));
  }, 60_000);
});
