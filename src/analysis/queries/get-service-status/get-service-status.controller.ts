import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetServiceStatusQuery } from './get-service-status.query';
import { ServiceStatusDto } from './service-status.dto';

@ApiTags('service')
@Controller('status')
export class GetServiceStatusController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'Service statistics: queue, totals, cache and LLM use' })
  @ApiOkResponse({ type: ServiceStatusDto })
  get(): Promise<ServiceStatusDto> {
    return this.queryBus.execute(new GetServiceStatusQuery());
  }
}
