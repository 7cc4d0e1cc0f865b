import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AnalysisHttpModule } from './analysis/analysis-http.module';
import { AnalysisModule } from './analysis/analysis.module';
import { BatchProcessorModule } from './batching/batch-processor.module';
import { AppConfig, runsWorker, servesHttp } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { bullQueueOptions } from './redis/bull-options';
import { RedisModule } from './redis/redis.module';
import { ThrottlingModule } from './throttling/throttling.module';

/** One codebase, three roles: the modules loaded follow APP_ROLE. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const roleModules: Type[] = [
      ...(servesHttp(config) ? [AnalysisHttpModule, HealthModule, MetricsModule, ThrottlingModule] : []),
      ...(runsWorker(config) ? [BatchProcessorModule] : []),
    ];
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        RedisModule,
        CqrsModule.forRoot(),
        BullModule.forRoot(bullQueueOptions(config.redis.url)),
        AnalysisModule,
        ...roleModules,
      ],
    };
  }
}
