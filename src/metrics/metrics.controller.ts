import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiUnavailableResponse, UNAVAILABLE_BECAUSE } from '../common/api-refusals.decorator';
import type { Cache } from 'cache-manager';
import type { FastifyReply } from 'fastify';
import { GetServiceStatusQuery } from '../analysis/queries/get-service-status/get-service-status.query';
import { SERVICE_STATUS_CACHE } from '../analysis/queries/get-service-status/service-status-cache';
import { ServiceStatusDto } from '../analysis/queries/get-service-status/service-status.dto';
import { ServiceMetrics } from './service-metrics';

@ApiTags('service')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly metrics: ServiceMetrics,
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics: service-wide totals and queue depth, and this process\'s runtime' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format', schema: { type: 'string', example: 'rpa_analyses_submitted_total 1520\nrpa_queue_jobs{state="waiting"} 12\n' } })
  @ApiUnavailableResponse(UNAVAILABLE_BECAUSE.redis)
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const status = await this.recentStatus();
    reply.type(this.metrics.contentType);
    return this.metrics.render(status);
  }

  /**
   * The statistics GET /status caches, shared the same way: the route is exempt from admission and throttling,
   * so that it answers however busy the process is, and a flood of scrapes must not be a flood of Redis reads.
   * Concurrent misses share one read; a failed read is not kept.
   */
  private recentStatus(): Promise<ServiceStatusDto> {
    const read = () => this.queryBus.execute<GetServiceStatusQuery, ServiceStatusDto>(new GetServiceStatusQuery());
    return this.cache.wrap(SERVICE_STATUS_CACHE.key, read, SERVICE_STATUS_CACHE.ttlMs);
  }
}
