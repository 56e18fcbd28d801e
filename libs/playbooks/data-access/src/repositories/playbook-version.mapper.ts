import type { Author, PlaybookVersion } from '@reverie/playbooks-domain';
import { versionDocId } from '../playbook-id';
import type { PlaybookVersionDoc } from '../schemas/playbook-version.schema';

/** The decision on a proposal: who approved or rejected it, when, and why. */
export interface VersionReview {
  decision: 'approved' | 'rejected';
  /** Null when the caller did not say (e.g. an automated approval). */
  by: Author | null;
  /** ISO time of the decision. */
  at: string;
  reason: string | null;
}

/** A stored version: the domain's version plus when its activation was last published. */
export type StoredPlaybookVersion = PlaybookVersion & {
  /** ISO time Kafka acknowledged `playbook.version_activated` for it; null if not (yet). */
  publishedAt: string | null;
  /** Only on a version that was proposed and has been approved or rejected. */
  review?: VersionReview;
};

/** A version without its entries (nor what it was learned from): what listings return. */
export type PlaybookVersionSummary = Omit<StoredPlaybookVersion, 'entries' | 'learnedFrom'>;

export function toDocument(tenantId: string, v: PlaybookVersion): PlaybookVersionDoc {
  return {
    _id: versionDocId(v.playbookId, v.version),
    tenantId,
    agentId: v.agentId,
    role: v.role ?? null,
    playbookId: v.playbookId,
    version: v.version,
    parentVersion: v.parentVersion,
    author: v.author,
    ...(v.message !== undefined && { message: v.message }),
    status: v.status,
    entries: v.entries,
    diff: v.diff,
    ...(v.learnedFrom?.length ? { learnedFrom: v.learnedFrom } : {}),
    createdAt: new Date(v.createdAt),
    publishedAt: null,
  };
}

/** Back to the domain's shape: no storage fields, `role` left out for the whole agent. */
export function fromDocument(doc: PlaybookVersionDoc): StoredPlaybookVersion;
export function fromDocument(
  doc: Omit<PlaybookVersionDoc, 'entries' | 'learnedFrom'>,
): PlaybookVersionSummary;
export function fromDocument(
  doc: Omit<PlaybookVersionDoc, 'entries' | 'learnedFrom'> &
    Partial<Pick<PlaybookVersionDoc, 'entries' | 'learnedFrom'>>,
): StoredPlaybookVersion | PlaybookVersionSummary {
  return {
    playbookId: doc.playbookId,
    agentId: doc.agentId,
    ...(doc.role ? { role: doc.role } : {}),
    version: doc.version,
    parentVersion: doc.parentVersion ?? null,
    author: doc.author,
    ...(doc.message !== undefined && doc.message !== null && { message: doc.message }),
    createdAt: new Date(doc.createdAt).toISOString(),
    ...(doc.entries !== undefined && { entries: doc.entries }),
    status: doc.status,
    diff: doc.diff,
    ...(doc.learnedFrom?.length ? { learnedFrom: doc.learnedFrom } : {}),
    publishedAt: doc.publishedAt ? new Date(doc.publishedAt).toISOString() : null,
    ...(doc.review && {
      review: {
        decision: doc.review.decision,
        by: doc.review.by ?? null,
        at: new Date(doc.review.at).toISOString(),
        reason: doc.review.reason ?? null,
      },
    }),
  };
}

export function toReviewDocument(review: VersionReview): NonNullable<PlaybookVersionDoc['review']> {
  return { ...review, at: new Date(review.at) };
}
