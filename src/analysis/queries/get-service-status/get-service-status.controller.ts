import { CacheKey, CacheTTL } from '@nestjs/cache-manager';
import { Controller, Get, UseInterceptors } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiThrottled, ApiUnavailableResponse, UNAVAILABLE_BECAUSE } from '../../../common/api-refusals.decorator';
import { TieredCacheInterceptor } from '../../../http-cache/tiered-cache.interceptor';
import { ThrottleAs } from '../../../throttling/throttle-kind.decorator';
import { GetServiceStatusQuery } from './get-service-status.query';
import { SERVICE_STATUS_CACHE } from './service-status-cache';
import { ServiceStatusDto } from './service-status.dto';

@ApiTags('service')
@Controller('status')
export class GetServiceStatusController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @ThrottleAs('poll')
  @UseInterceptors(TieredCacheInterceptor)
  // One key whatever the query string: the URL would let any client miss the cache at will.
  @CacheKey(SERVICE_STATUS_CACHE.key)
  @CacheTTL(SERVICE_STATUS_CACHE.ttlMs)
  @ApiOperation({ summary: 'Service statistics: queue, totals, cache and LLM use (cached for about a second)' })
  @ApiOkResponse({ type: ServiceStatusDto })
  @ApiThrottled('More than THROTTLE_STATUS_LIMIT polls in THROTTLE_TTL seconds')
  @ApiUnavailableResponse(UNAVAILABLE_BECAUSE.redis, UNAVAILABLE_BECAUSE.processFull, UNAVAILABLE_BECAUSE.stopping)
  get(): Promise<ServiceStatusDto> {
    return this.queryBus.execute(new GetServiceStatusQuery());
  }
}
