import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module';
import { AnalysisQueueModule } from '../batching/analysis-queue.module';
import { QueueCapacityGuard } from './queue-capacity.guard';
import { QueueDepthMonitor } from './queue-depth.monitor';

/** Backpressure for the API role: submissions are refused while the queue is full. */
@Module({
  imports: [AnalysisQueueModule, AnalysisModule],
  providers: [QueueDepthMonitor, QueueCapacityGuard],
  exports: [QueueDepthMonitor, QueueCapacityGuard],
})
export class AdmissionModule {}
