import { aPerson, aVersion, anEntry } from '@reverie/playbooks-domain/testing';
import { playbookIdFor, versionDocId } from '../playbook-id';
import { isDuplicateKey, PlaybookConflictError } from './playbook-conflict.error';
import { fromDocument, toDocument, toReviewDocument } from './playbook-version.mapper';

describe('playbook version storage mapping', () => {
  it('stores a role-less version with role null and reads it back exactly', () => {
    const version = aVersion({ message: 'first lesson' });
    const doc = toDocument('acme', version);
    expect(doc).toMatchObject({
      _id: 'pbk_lander:v1',
      tenantId: 'acme',
      role: null,
      parentVersion: null,
      createdAt: new Date(version.createdAt),
      publishedAt: null,
    });
    expect(fromDocument(doc)).toEqual({ ...version, publishedAt: null });
    expect('role' in fromDocument(doc)).toBe(false);
  });

  it("keeps a role's playbook role and reports when it was published", () => {
    const version = aVersion({
      role: 'navigator',
      version: 2,
      parentVersion: 1,
      entries: [anEntry({ id: 'pb-a' }), anEntry({ id: 'pb-b', status: 'retired' })],
    });
    const at = new Date('2025-02-01T10:00:00.000Z');
    const read = fromDocument({ ...toDocument('acme', version), publishedAt: at });
    expect(read).toEqual({ ...version, publishedAt: at.toISOString() });
  });

  it('reads back the decision on a proposal, and has none for a version never decided', () => {
    const version = aVersion({ version: 2, parentVersion: 1, status: 'rejected' });
    const review = {
      decision: 'rejected' as const,
      by: aPerson(),
      at: '2025-02-02T08:00:00.000Z',
      reason: 'retires a lesson that still helps',
    };
    const stored = toReviewDocument(review);
    expect(stored.at).toEqual(new Date(review.at));
    const doc = { ...toDocument('acme', version), review: stored };
    expect(fromDocument(doc).review).toEqual(review);
    const approved = {
      ...doc,
      review: { ...stored, decision: 'approved' as const, by: null, reason: null },
    };
    expect(fromDocument(approved).review).toMatchObject({ by: null, reason: null });
    expect('review' in fromDocument(toDocument('acme', version))).toBe(false);
  });

  it('leaves entries and what it was learned from out of a summary read without them', () => {
    const learnedFrom = [
      {
        environment: 'ci-log-triage',
        input: 'sessions of agent triage',
        train: [{ id: 'case-1', digest: 'd1' }],
        validation: [{ id: 'case-2', digest: 'd2' }],
      },
    ];
    const doc = toDocument('acme', aVersion({ learnedFrom }));
    expect(fromDocument(doc).learnedFrom).toEqual(learnedFrom);
    const { entries: _entries, learnedFrom: _learned, ...summaryDoc } = doc;
    const summary = fromDocument(summaryDoc);
    expect('entries' in summary).toBe(false);
    expect('learnedFrom' in summary).toBe(false);
  });

  it('stores no learnedFrom for a version no dream learned', () => {
    const doc = toDocument('acme', aVersion());
    expect('learnedFrom' in doc).toBe(false);
    expect('learnedFrom' in fromDocument(doc)).toBe(false);
  });
});

describe('playbook ids', () => {
  it('are deterministic per agent and role, and valid ids', () => {
    expect(playbookIdFor('agt_1')).toBe('pbk_agt_1');
    expect(playbookIdFor('agt_1', null)).toBe('pbk_agt_1');
    expect(playbookIdFor('agt_1', 'navigator')).toBe('pbk_agt_1.navigator');
    expect(playbookIdFor('agt_1', 'navigator')).not.toBe(playbookIdFor('agt_1', 'detector'));
    expect(versionDocId(playbookIdFor('agt_1', 'navigator'), 3)).toBe('pbk_agt_1.navigator:v3');
  });
});

describe('conflicts', () => {
  it('recognises unique-key violations, also nested and in bulk writes', () => {
    expect(isDuplicateKey({ code: 11000 })).toBe(true);
    expect(isDuplicateKey({ writeErrors: [{ code: 11000 }] })).toBe(true);
    expect(isDuplicateKey({ cause: { code: 11000 } })).toBe(true);
    expect(isDuplicateKey(new Error('connection reset'))).toBe(false);
  });

  it('is a 409 conflict_error that says what to do', () => {
    const err = new PlaybookConflictError('pbk_agt_1', 4);
    expect(err).toMatchObject({ status: 409, code: 'conflict_error', details: [] });
    expect(err.message).toMatch(/version 4 was just created.*read the active version again/);
  });
});
