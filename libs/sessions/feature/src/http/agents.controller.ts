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
import { ApiKeyGuard, openApiSchema, TenantId } from '@reverie/http';
import { createAgentSchema, patchAgentSchema } from '@reverie/sessions-domain';
import { AgentsService } from './agents.service';
import { presentAgent } from './presenters';

@ApiTags('agents')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('v1/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an agent: name, roles, model settings, dreaming settings' })
  @ApiBody({ schema: openApiSchema(createAgentSchema) })
  async create(@TenantId() tenantId: string, @Body() body: unknown) {
    return presentAgent(await this.agents.create(tenantId, body));
  }

  @Get()
  @ApiOperation({
    summary: "The tenant's agents by name, paged by `after_name` (the previous page's last name)",
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
  })
  @ApiQuery({ name: 'after_name', required: false })
  async list(@TenantId() tenantId: string, @Query() query: Record<string, unknown>) {
    const page = await this.agents.list(tenantId, query);
    const data = page.data.map(presentAgent);
    return { data, has_more: page.hasMore, last_name: data.at(-1)?.name ?? null };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an agent' })
  async get(@TenantId() tenantId: string, @Param('id') id: string) {
    return presentAgent(await this.agents.get(tenantId, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change an agent; `model` and `dreaming` merge into the stored settings',
  })
  @ApiBody({ schema: openApiSchema(patchAgentSchema) })
  async update(@TenantId() tenantId: string, @Param('id') id: string, @Body() body: unknown) {
    return presentAgent(await this.agents.update(tenantId, id, body));
  }
}
