import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type {
  Author,
  LearnedFrom,
  PlaybookDiff,
  PlaybookEntry,
  VersionStatus,
} from '@reverie/playbooks-domain';
import type { HydratedDocument } from 'mongoose';

/** How a proposal was decided; see `VersionReview`. */
export interface VersionReviewDoc {
  decision: 'approved' | 'rejected';
  by: Author | null;
  at: Date;
  reason: string | null;
}

/**
 * One immutable version of a playbook. Only `status` (with `review` when a proposal is decided)
 * and `publishedAt` ever change after the insert: active -> superseded, proposed -> active |
 * rejected.
 */
@Schema({ collection: 'playbook_versions', minimize: false, versionKey: false })
export class PlaybookVersionDoc {
  /** `${playbookId}:v${version}`: a second insert of the same version fails on _id too. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) agentId!: string;
  /** The team role the playbook belongs to; null for the whole agent. */
  @Prop({ type: String, default: null }) role!: string | null;
  @Prop({ required: true }) playbookId!: string;
  @Prop({ required: true }) version!: number;
  @Prop({ type: Number, default: null }) parentVersion!: number | null;
  @Prop({ type: Object, required: true }) author!: Author;
  @Prop({ type: String }) message?: string;
  @Prop({ type: String, required: true }) status!: VersionStatus;
  @Prop({ type: [Object], default: [] }) entries!: PlaybookEntry[];
  @Prop({ type: Object, required: true }) diff!: PlaybookDiff;
  /**
   * What the dreams that wrote its rules learned from and chose on; absent when none did. Left
   * out of listings (a lander dream's record lists its scenarios).
   */
  @Prop({ type: [Object], default: undefined }) learnedFrom?: LearnedFrom[];
  @Prop({ required: true }) createdAt!: Date;
  /** When `playbook.version_activated` for this version was last acknowledged by Kafka. */
  @Prop({ type: Date, default: null }) publishedAt!: Date | null;
  /** Set once, by the conditional update that approves or rejects a proposal. */
  @Prop({ type: Object }) review?: VersionReviewDoc;
}

export type PlaybookVersionDocument = HydratedDocument<PlaybookVersionDoc>;
export const PlaybookVersionSchema = SchemaFactory.createForClass(PlaybookVersionDoc);
// Serves: the active version (status active, highest version), the version list (newest first,
// paged by version, optionally of one status such as the pending proposals), the latest version
// number, and makes two concurrent edits of the same playbook collide: only one of them can take
// the next version number.
PlaybookVersionSchema.index({ tenantId: 1, playbookId: 1, version: 1 }, { unique: true });
