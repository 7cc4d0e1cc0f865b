import { Controller, Get, Header, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { GetServiceStatusQuery } from '../analysis/queries/get-service-status/get-service-status.query';
import { ServiceStatusDto } from '../analysis/queries/get-service-status/service-status.dto';
import { ServiceMetrics } from './service-metrics';

/**
 * Scrapes within this long of each other share one read of the service's status. The route is exempt from
 * admission and throttling, so that it answers however busy the process is: without sharing, a flood of
 * scrapes would be a flood of Redis reads.
 */
const STATUS_SHARED_MS = 1_000;

@ApiTags('service')
@Controller('metrics')
export class MetricsController {
  private shared: { at: number; status: Promise<ServiceStatusDto> } | undefined;

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
    const status = await this.recentStatus();
    reply.type(this.metrics.contentType);
    return this.metrics.render(status);
  }

  private recentStatus(): Promise<ServiceStatusDto> {
    const now = performance.now();
    if (this.shared && now - this.shared.at < STATUS_SHARED_MS) return this.shared.status;
    const status = this.queryBus.execute<GetServiceStatusQuery, ServiceStatusDto>(new GetServiceStatusQuery());
    const shared = { at: now, status };
    this.shared = shared;
    // A failed read is not shared: the next scrape tries again.
    status.catch(() => this.shared === shared && (this.shared = undefined));
    return status;
  }
}
