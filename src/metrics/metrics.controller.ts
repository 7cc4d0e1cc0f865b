import { Controller, Get, Header, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { GetServiceStatusQuery } from '../analysis/queries/get-service-status/get-service-status.query';
import { ServiceStatusDto } from '../analysis/queries/get-service-status/service-status.dto';
import { ServiceMetrics } from './service-metrics';

@ApiTags('service')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly metrics: ServiceMetrics,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics: service-wide totals and queue depth, and this process\'s runtime' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format', schema: { type: 'string', example: 'rpa_analyses_submitted_total 1520\nrpa_queue_jobs{state="waiting"} 12\n' } })
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const status = await this.queryBus.execute<GetServiceStatusQuery, ServiceStatusDto>(new GetServiceStatusQuery());
    reply.type(this.metrics.contentType);
    return this.metrics.render(status);
  }
}
