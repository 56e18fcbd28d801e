import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiKeyId, openApiSchema, parseOrThrow, TenantId } from '@reverie/http';
import {
  renderMarkdown,
  renderRules,
  VERSION_STATUSES,
  type Author,
} from '@reverie/playbooks-domain';
import {
  addEntryBodySchema,
  diffQuerySchema,
  editEntryBodySchema,
  listVersionsQuerySchema,
  playbookQuerySchema,
  rejectBodySchema,
  renderQuerySchema,
  RENDER_FORMATS,
  retireEntryBodySchema,
  rollbackBodySchema,
  versionParamSchema,
} from './playbook-requests';
import { presentEmpty, presentSummary, presentVersion } from './playbook-presenters';
import { PlaybooksService } from './playbooks.service';

type Query = Record<string, unknown>;
const person = (keyId: string): Author => ({ kind: 'person', id: keyId });
const roleQuery = {
  name: 'role',
  required: false,
  description: "one role of the agent's team; leave out for the agent's own playbook",
};

@ApiTags('playbooks')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('v1/agents/:agentId/playbook')
export class PlaybooksController {
  constructor(private readonly playbooks: PlaybooksService) {}

  @Get()
  @ApiOperation({
    summary: 'The active playbook version',
    description:
      'With no version yet: 200 with `version: 0`, `status: "empty"`, no entries and a `hint`.',
  })
  @ApiQuery(roleQuery)
  async active(@TenantId() tenantId: string, @Param('agentId') agentId: string, @Query() q: Query) {
    const ref = await this.locate(tenantId, agentId, playbookQuerySchema, q);
    const head = await this.playbooks.active(ref);
    return head ? presentVersion(head) : presentEmpty(ref);
  }

  @Get('versions')
  @ApiOperation({
    summary: 'Versions, newest first, without entries; paged by `before_version`',
    description: '`status=proposed` lists the proposals (from dreams) that await a decision.',
  })
  @ApiQuery(roleQuery)
  @ApiQuery({ name: 'status', required: false, enum: VERSION_STATUSES })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  })
  @ApiQuery({
    name: 'before_version',
    required: false,
    description: '`last_version` of the previous page',
  })
  async versions(
    @TenantId() tenantId: string,
    @Param('agentId') agentId: string,
    @Query() q: Query,
  ) {
    const query = parseOrThrow(listVersionsQuerySchema, q, 'query', 'query');
    const ref = await this.playbooks.locate(tenantId, agentId, query.role);
    const page = await this.playbooks.list(ref, {
      limit: query.limit,
      beforeVersion: query.before_version,
      status: query.status,
    });
    const data = page.data.map(presentSummary);
    return { data, has_more: page.hasMore, last_version: data.at(-1)?.version ?? null };
  }

  @Get('versions/:version')
  @ApiOperation({ summary: 'One version, with its entries, parent, author and diff' })
  @ApiQuery(roleQuery)
  async version(
    @TenantId() tenantId: string,
    @Param('agentId') agentId: string,
    @Param('version') version: string,
    @Query() q: Query,
  ) {
    const n = parseOrThrow(versionParamSchema, version, 'version', 'version');
    const ref = await this.locate(tenantId, agentId, playbookQuerySchema, q);
    return presentVersion(await this.playbooks.version(ref, n));
  }

  @Post('versions/:version/approve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve a proposed version: it becomes the active version and is announced',
    description:
      'Answers the now active version. 409 `invalid_transition` when the version is not a proposal, or was proposed against a version that is no longer the active one (reject it and propose again).',
  })
  @ApiQuery(roleQuery)
  async approve(
    @TenantId() tenantId: string,
    @ApiKeyId() keyId: string,
    @Param('agentId') agentId: string,
    @Param('version') version: string,
    @Query() q: Query,
  ) {
    const n = parseOrThrow(versionParamSchema, version, 'version', 'version');
    const ref = await this.locate(tenantId, agentId, playbookQuerySchema, q);
    return presentVersion(await this.playbooks.approve(ref, person(keyId), n));
  }

  @Post('versions/:version/reject')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reject a proposed version, with an optional reason kept on it',
    description:
      'Answers the rejected version. 409 `invalid_transition` when it is not a proposal.',
  })
  @ApiQuery(roleQuery)
  @ApiBody({ schema: openApiSchema(rejectBodySchema) })
  async reject(
    @TenantId() tenantId: string,
    @ApiKeyId() keyId: string,
    @Param('agentId') agentId: string,
    @Param('version') version: string,
    @Query() q: Query,
    @Body() body: unknown,
  ) {
    const n = parseOrThrow(versionParamSchema, version, 'version', 'version');
    const { reason } = parseOrThrow(rejectBodySchema, body ?? {}, 'rejection');
    const ref = await this.locate(tenantId, agentId, playbookQuerySchema, q);
    return presentVersion(await this.playbooks.reject(ref, person(keyId), n, reason));
  }

  @Get('diff')
  @ApiOperation({
    summary: 'What changed between two versions (0 is the empty playbook)',
    description: '`to` defaults to the active version, `from` to the parent of `to`.',
  })
  @ApiQuery(roleQuery)
  @ApiQuery({ name: 'from', required: false, schema: { type: 'integer', minimum: 0 } })
  @ApiQuery({ name: 'to', required: false, schema: { type: 'integer', minimum: 0 } })
  async diff(@TenantId() tenantId: string, @Param('agentId') agentId: string, @Query() q: Query) {
    const query = parseOrThrow(diffQuerySchema, q, 'query', 'query');
    const ref = await this.playbooks.locate(tenantId, agentId, query.role);
    return { type: 'playbook_diff' as const, ...(await this.playbooks.diff(ref, query)) };
  }

  @Get('render')
  @ApiOperation({
    summary: 'The active version as an agent reads it',
    description:
      '`markdown`: the system-prompt block (active entries, ids to cite). `rules`: the structured rules of active entries, for deterministic policies.',
  })
  @ApiQuery(roleQuery)
  @ApiQuery({ name: 'format', required: false, enum: RENDER_FORMATS })
  async render(@TenantId() tenantId: string, @Param('agentId') agentId: string, @Query() q: Query) {
    const query = parseOrThrow(renderQuerySchema, q, 'query', 'query');
    const ref = await this.playbooks.locate(tenantId, agentId, query.role);
    const head = (await this.playbooks.active(ref)) ?? { ...presentEmpty(ref), role: ref.role };
    return {
      type: 'playbook_render' as const,
      playbookId: ref.playbookId,
      agentId,
      role: ref.role ?? null,
      version: head.version,
      format: query.format,
      content: query.format === 'rules' ? renderRules(head) : renderMarkdown(head),
    };
  }

  @Post('entries')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add an entry: makes a new active version' })
  @ApiQuery(roleQuery)
  @ApiBody({ schema: openApiSchema(addEntryBodySchema) })
  async add(
    @TenantId() tenantId: string,
    @ApiKeyId() keyId: string,
    @Param('agentId') agentId: string,
    @Query() q: Query,
    @Body() body: unknown,
  ) {
    const { message, ...entry } = parseOrThrow(addEntryBodySchema, body ?? {}, 'entry');
    const ref = await this.locate(tenantId, agentId, playbookQuerySchema, q);
    return presentVersion(
      await this.playbooks.change(ref, person(keyId), [{ kind: 'add', entry }], message),
    );
  }

  @Patch('entries/:entryId')
  @ApiOperation({ summary: 'Edit an entry: makes a new active version' })
  @ApiQuery(roleQuery)
  @ApiBody({ schema: openApiSchema(editEntryBodySchema) })
  async edit(
    @TenantId() tenantId: string,
    @ApiKeyId() keyId: string,
    @Param('agentId') agentId: string,
    @Param('entryId') entryId: string,
    @Query() q: Query,
    @Body() body: unknown,
  ) {
    const { message, ...patch } = parseOrThrow(editEntryBodySchema, body ?? {}, 'entry update');
    const ref = await this.locate(tenantId, agentId, playbookQuerySchema, q);
    return presentVersion(
      await this.playbooks.change(
        ref,
        person(keyId),
        [{ kind: 'update', id: entryId, patch }],
        message,
      ),
    );
  }

  @Post('entries/:entryId/retire')
  @HttpCode(201)
  @ApiOperation({ summary: 'Retire an entry (it stays in history): makes a new active version' })
  @ApiQuery(roleQuery)
  @ApiBody({ schema: openApiSchema(retireEntryBodySchema) })
  async retire(
    @TenantId() tenantId: string,
    @ApiKeyId() keyId: string,
    @Param('agentId') agentId: string,
    @Param('entryId') entryId: string,
    @Query() q: Query,
    @Body() body: unknown,
  ) {
    const { reason, message } = parseOrThrow(retireEntryBodySchema, body ?? {}, 'retirement');
    const ref = await this.locate(tenantId, agentId, playbookQuerySchema, q);
    return presentVersion(
      await this.playbooks.change(
        ref,
        person(keyId),
        [{ kind: 'retire', id: entryId, reason }],
        message,
      ),
    );
  }

  @Post('rollback')
  @HttpCode(201)
  @ApiOperation({ summary: "Roll back: a new active version with an earlier version's entries" })
  @ApiQuery(roleQuery)
  @ApiBody({ schema: openApiSchema(rollbackBodySchema) })
  async rollback(
    @TenantId() tenantId: string,
    @ApiKeyId() keyId: string,
    @Param('agentId') agentId: string,
    @Query() q: Query,
    @Body() body: unknown,
  ) {
    const { version, message } = parseOrThrow(rollbackBodySchema, body ?? {}, 'rollback');
    const ref = await this.locate(tenantId, agentId, playbookQuerySchema, q);
    return presentVersion(await this.playbooks.rollback(ref, person(keyId), version, message));
  }

  @Post('publish')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Announce the active version again on the playbook topic',
    description:
      'Every change is announced by itself; this re-sends the active version (`publishedAt` null means an announcement failed after the version was stored).',
  })
  @ApiQuery(roleQuery)
  async publish(
    @TenantId() tenantId: string,
    @Param('agentId') agentId: string,
    @Query() q: Query,
  ) {
    const ref = await this.locate(tenantId, agentId, playbookQuerySchema, q);
    return presentVersion(await this.playbooks.publishActive(ref));
  }

  private async locate(
    tenantId: string,
    agentId: string,
    schema: typeof playbookQuerySchema,
    q: Query,
  ) {
    const { role } = parseOrThrow(schema, q, 'query', 'query');
    return this.playbooks.locate(tenantId, agentId, role);
  }
}
