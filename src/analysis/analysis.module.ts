import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AnalysisQueueModule } from '../batching/analysis-queue.module';
import { LlmModule } from '../llm/llm.module';
import { AnalyzePaperHandler } from './commands/analyze-paper/analyze-paper.handler';
import { SubmissionRecorder } from './commands/analyze-paper/submission-recorder';
import { AnalysisProjection } from './events/analysis.projection';
import { GetAnalysisHandler } from './queries/get-analysis/get-analysis.handler';
import { GetServiceStatusHandler } from './queries/get-service-status/get-service-status.handler';
import { AnalysisReadModel } from './read-model/analysis-read-model';
import { PaperStore } from './read-model/paper-store';
import { ResultCache } from './read-model/result-cache';
import { ServiceCountersModule } from './read-model/service-counters.module';

const commandHandlers = [AnalyzePaperHandler];
const queryHandlers = [GetAnalysisHandler, GetServiceStatusHandler];
const eventHandlers = [AnalysisProjection];
const stores = [AnalysisReadModel, PaperStore, ResultCache];
const writers = [SubmissionRecorder];

/** The analysis feature's core, shared by both roles: handlers, the projection and the Redis stores. */
@Module({
  imports: [CqrsModule, AnalysisQueueModule, LlmModule, ServiceCountersModule],
  providers: [...commandHandlers, ...queryHandlers, ...eventHandlers, ...stores, ...writers],
  exports: [...stores, ServiceCountersModule],
})
export class AnalysisModule {}
