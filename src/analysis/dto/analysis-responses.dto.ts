import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ANALYSIS_STATUSES, AnalysisStatus } from '../analysis-status';
import { AnalysisResultDto } from './analysis-result.dto';

const REQUEST_ID_EXAMPLE = '3f2b8c1e-9a4d-4e2b-8f61-0c7d5a9e1b24';

export class AnalysisAcceptedDto {
  @ApiProperty({ format: 'uuid', example: REQUEST_ID_EXAMPLE })
  request_id!: string;

  @ApiProperty({ enum: ['queued'], example: 'queued' })
  status!: 'queued';

  @ApiProperty({ example: `/status/${REQUEST_ID_EXAMPLE}`, description: 'Where to poll for the result (also in the Location header)' })
  status_url!: string;
}

export class AnalysisCachedDto {
  @ApiProperty({ format: 'uuid', example: REQUEST_ID_EXAMPLE })
  request_id!: string;

  @ApiProperty({ enum: ['done'], example: 'done' })
  status!: 'done';

  @ApiProperty({ example: true, description: 'The same content was analysed before by the same model and prompt' })
  cached!: true;

  @ApiProperty({ type: AnalysisResultDto })
  result!: AnalysisResultDto;
}

export class AnalysisStatusDto {
  @ApiProperty({ format: 'uuid', example: REQUEST_ID_EXAMPLE })
  request_id!: string;

  @ApiProperty({ enum: ANALYSIS_STATUSES, example: 'done' })
  status!: AnalysisStatus;

  @ApiProperty({ format: 'date-time', example: '2026-11-28T10:15:30.120Z' })
  submitted_at!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, example: '2026-11-28T10:15:30.260Z' })
  started_at!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, example: '2026-11-28T10:15:30.910Z' })
  finished_at!: string | null;

  @ApiProperty({ example: 1, description: 'Analysis attempts started so far' })
  attempts!: number;

  @ApiProperty({ example: false, description: 'Answered from the result cache without a new analysis' })
  cached!: boolean;

  @ApiPropertyOptional({ type: AnalysisResultDto, description: 'Present when status is done' })
  result?: AnalysisResultDto;

  @ApiPropertyOptional({
    example: 'The LLM provider stayed unavailable after 3 attempts (Groq answered 503); submit the paper again later.',
    description: 'Present when status is error: what happened and what to do',
  })
  error?: string;
}
