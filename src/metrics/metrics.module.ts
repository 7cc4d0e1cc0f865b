import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AnalysisModule } from '../analysis/analysis.module';
import { HttpCacheModule } from '../http-cache/http-cache.module';
import { MetricsController } from './metrics.controller';
import { ServiceMetrics } from './service-metrics';

/** GET /metrics for Prometheus, in every API process. */
@Module({
  imports: [CqrsModule, AnalysisModule, HttpCacheModule],
  controllers: [MetricsController],
  providers: [ServiceMetrics],
})
export class MetricsModule {}
