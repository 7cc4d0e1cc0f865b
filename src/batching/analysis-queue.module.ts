import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { AnalysisJobProducer } from './analysis-job.producer';
import { ANALYSIS_QUEUE } from './analysis-queue';
import { BullConnectionSafeguards } from './bull-connection-safeguards';
import { WaitingRequests } from './waiting-requests';

/** The queue as both roles see it: API processes add jobs, workers take them. */
@Module({
  imports: [BullModule.registerQueue({ name: ANALYSIS_QUEUE })],
  providers: [AnalysisJobProducer, WaitingRequests, BullConnectionSafeguards],
  exports: [BullModule, AnalysisJobProducer, WaitingRequests],
})
export class AnalysisQueueModule {}
