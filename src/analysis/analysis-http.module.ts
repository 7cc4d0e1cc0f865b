import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AdmissionModule } from '../admission/admission.module';
import { HttpCacheModule } from '../http-cache/http-cache.module';
import { PapersModule } from '../papers/papers.module';
import { AnalysisModule } from './analysis.module';
import { AnalyzePaperController } from './commands/analyze-paper/analyze-paper.controller';
import { GetAnalysisController } from './queries/get-analysis/get-analysis.controller';
import { GetServiceStatusController } from './queries/get-service-status/get-service-status.controller';

/** The API role's routes over the analysis feature. */
@Module({
  imports: [CqrsModule, AnalysisModule, AdmissionModule, HttpCacheModule, PapersModule],
  controllers: [AnalyzePaperController, GetServiceStatusController, GetAnalysisController],
})
export class AnalysisHttpModule {}
