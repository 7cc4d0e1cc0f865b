import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AnalysisRecord } from '../../analysis-status';
import { AnalysisReadModel } from '../../read-model/analysis-read-model';
import { GetAnalysisQuery } from './get-analysis.query';

/** Answers from the read model alone: one Redis read, whatever the length of the queue. */
@QueryHandler(GetAnalysisQuery)
export class GetAnalysisHandler implements IQueryHandler<GetAnalysisQuery, AnalysisRecord | undefined> {
  constructor(private readonly readModel: AnalysisReadModel) {}

  execute({ requestId }: GetAnalysisQuery): Promise<AnalysisRecord | undefined> {
    return this.readModel.find(requestId);
  }
}
