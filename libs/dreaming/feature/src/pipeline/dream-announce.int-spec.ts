import { TOPICS, type DreamEnded } from '@reverie/contracts';
import {
  DreamingDataAccessModule,
  DreamQueueRepository,
  DreamRepository,
  DreamSlotRepository,
} from '@reverie/dreaming-data-access';
import { expectEventually } from '@reverie/testing';
import {
  startDataAccess,
  tapTopic,
  unconnectedPublisher,
  uniqueName,
  type DataAccessContext,
  type TopicTap,
  type UnconnectedPublisher,
} from '@reverie/testing/integration';
import { DEFAULT_DREAMER_OPTIONS, SYSTEM_CLOCK } from '../dreamer.options';
import { DreamRunner } from './dream-runner.service';
import type { DreamPipeline } from './dream-pipeline';

/**
 * `dream.ended` survives Kafka refusing it: the real MongoDB-wire server, the real broker, and a
 * real kafkajs producer that is first not connected (every send refused), then connected.
 */
describe('dream.ended announcements that Kafka refused', () => {
  const tenantId = uniqueName('announce');
  const SWEEP_MS = 1_000;
  let context: DataAccessContext;
  let dreams: DreamRepository;
  let kafka: UnconnectedPublisher;
  let tap: TopicTap<DreamEnded>;
  let runner: DreamRunner;
  const announced = () => tap.messages.map((m) => ({ id: m.id, status: m.payload.status }));

  beforeAll(async () => {
    context = await startDataAccess(DreamingDataAccessModule, uniqueName('test_dream_announce'));
    dreams = context.app.get(DreamRepository);
    kafka = unconnectedPublisher();
    runner = new DreamRunner(
      dreams,
      context.app.get(DreamSlotRepository),
      // The sweep below finds no waiting or expired dream in this spec's own database: it runs no
      // pipeline and records no metric.
      undefined as unknown as DreamPipeline,
      kafka.publisher,
      { ...DEFAULT_DREAMER_OPTIONS, sweepMs: SWEEP_MS, datasetsDir: '' },
      undefined as never,
      context.app.get(DreamQueueRepository),
      SYSTEM_CLOCK,
    );
    tap = await tapTopic<DreamEnded>(
      TOPICS.dreams,
      (m) => m.tenantId === tenantId && m.type === 'dream.ended',
    );
  });
  afterAll(async () => {
    await tap?.stop();
    await kafka?.close();
    await context?.close();
  });

  /** A dream created, run and ended by `owner`, as the runner ends one. */
  async function anEndedDream(endedAt: Date) {
    const _id = uniqueName('drm');
    const owner = 'replica-a';
    await dreams.create(
      {
        _id,
        tenantId,
        agentId: uniqueName('agt'),
        input: { type: 'since_last_dream', limit: 10 },
        instructions: '',
        model: { provider: 'builtin' },
        publish: 'propose',
        trigger: 'api',
      },
      endedAt,
    );
    expect(await dreams.claim(_id, owner, 60_000, endedAt)).not.toBeNull();
    expect(await dreams.finish(_id, owner, { status: 'completed' }, endedAt)).toBe(true);
    return _id;
  }

  it('keeps an end Kafka refused pending, announces it on a later sweep once Kafka takes it, then never again', async () => {
    const t0 = new Date(Date.now() - 10 * SWEEP_MS);
    const id = await anEndedDream(t0);
    // Just ended: left to the runner that ended it, not the sweep.
    const justNow = await anEndedDream(new Date());
    expect((await dreams.findById(tenantId, id))?.announcePending).toBe(true);

    // The producer is not connected: kafkajs refuses the send, the dream stays pending.
    await runner.sweep();
    expect((await dreams.unannounced(new Date())).map((d) => d._id)).toEqual(
      expect.arrayContaining([id, justNow]),
    );

    await kafka.connect();
    await runner.sweep();
    await expectEventually(() =>
      expect(announced()).toEqual([{ id: `${id}:ended`, status: 'completed' }]),
    );
    expect((await dreams.findById(tenantId, id))?.announcePending).toBeUndefined();
    expect((await dreams.unannounced(new Date())).map((d) => d._id)).toEqual([justNow]);

    // Announced once: the next sweep (a period later, so the second dream is due too) sends
    // only the second.
    await runner.sweep(new Date(Date.now() + 2 * SWEEP_MS));
    await expectEventually(() =>
      expect(announced().map((a) => a.id)).toEqual([`${id}:ended`, `${justNow}:ended`]),
    );
    expect(await dreams.unannounced(new Date(Date.now() + 2 * SWEEP_MS))).toEqual([]);
  }, 60_000);
});
