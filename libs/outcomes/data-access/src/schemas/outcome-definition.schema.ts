import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { OutcomeDefinition } from '@reverie/outcomes-domain';
import type { HydratedDocument } from 'mongoose';

/**
 * One immutable version of an agent's outcome definition (rubric). Written only by the gateway
 * (`PUT /v1/agents/:id/outcome`); the grader reads it.
 */
@Schema({ collection: 'outcome_definitions', minimize: false, versionKey: false })
export class OutcomeDefinitionVersion {
  /** `${tenantId}/${agentId}/${version}` (see `definitionDocId`): a version is inserted once. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) agentId!: string;
  /** 1, 2, ...: each change takes the next number. */
  @Prop({ required: true }) version!: number;
  /** As parsed by `parseOutcomeDefinition`: defaults filled in. */
  @Prop({ type: Object, required: true }) definition!: OutcomeDefinition;
  /** Who made the change: the id of the API key that sent it. */
  @Prop({ type: String, required: true }) author!: string;
  @Prop({ required: true }) createdAt!: Date;
}

export type OutcomeDefinitionVersionDocument = HydratedDocument<OutcomeDefinitionVersion>;
export const OutcomeDefinitionVersionSchema =
  SchemaFactory.createForClass(OutcomeDefinitionVersion);
// Serves: the latest version (highest version of an agent), the version list (newest first) and
// one version by number; unique, like the _id, so a version number is taken at most once.
OutcomeDefinitionVersionSchema.index({ tenantId: 1, agentId: 1, version: -1 }, { unique: true });

/**
 * Where an agent's latest outcome definition version is found, read once per grade by `_id` alone
 * (the embedded MongoDB-wire server sorts nothing by index: the highest version of an agent by a
 * sort scanned every version of every agent). `version` only rises (`$max`) and is at most one
 * behind the highest stored version: `OutcomeDefinitionRepository.create` raises it to the
 * version it builds on before storing the next one, and to that one after.
 */
@Schema({ collection: 'outcome_definition_heads', versionKey: false })
export class OutcomeDefinitionHead {
  /** `${tenantId}/${agentId}` (see `definitionHeadId`). */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) agentId!: string;
  @Prop({ required: true }) version!: number;
}

export const OutcomeDefinitionHeadSchema = SchemaFactory.createForClass(OutcomeDefinitionHead);
