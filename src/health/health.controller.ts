import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { RedisHealthIndicator } from './redis.health';

const LIVE_EXAMPLE = { status: 'ok', info: {}, error: {}, details: {} };
const READY_EXAMPLE = { status: 'ok', info: { redis: { status: 'up', latency_ms: 0.4 } }, error: {}, details: { redis: { status: 'up', latency_ms: 0.4 } } };
const NOT_READY_EXAMPLE = {
  status: 'error',
  info: {},
  error: { redis: { status: 'down', message: 'Redis is unreachable: no answer within 1000 ms' } },
  details: { redis: { status: 'down', message: 'Redis is unreachable: no answer within 1000 ms' } },
};

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process answers. Never depends on Redis, so an outage does not get it restarted.' })
  @ApiOkResponse({ description: 'Terminus health check result', schema: { example: LIVE_EXAMPLE } })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: Redis answers a ping on the app\'s own connection (503 when it does not)' })
  @ApiOkResponse({ description: 'Redis answered', schema: { example: READY_EXAMPLE } })
  @ApiServiceUnavailableResponse({ description: 'Redis did not answer', schema: { example: NOT_READY_EXAMPLE } })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.redis.check('redis')]);
    } catch (error) {
      // Probes read Terminus's own format, not the API's error shape.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      reply.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
