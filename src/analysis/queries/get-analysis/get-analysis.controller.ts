import { CacheTTL } from '@nestjs/cache-manager';
import { BadRequestException, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Res, UseInterceptors } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ThrottleAs } from '../../../throttling/throttle-kind.decorator';
import { FinishedAnswerCacheInterceptor } from '../../../http-cache/finished-answer-cache.interceptor';
import { ApiThrottled, ApiUnavailableResponse, UNAVAILABLE_BECAUSE } from '../../../common/api-refusals.decorator';
import { ErrorResponseDto } from '../../../common/error-response.dto';
import { AnalysisRecord, isFinished } from '../../analysis-status';
import { AnalysisStatusDto } from '../../dto/analysis-responses.dto';
import { GetAnalysisQuery } from './get-analysis.query';

/** Seconds a client should wait before polling an unfinished request again. */
const POLL_AGAIN_AFTER_SECONDS = 1;
/** A finished answer never changes; keep it near the API for a while. */
const FINISHED_ANSWER_CACHE_MS = 5 * 60_000;

const requestIdPipe = new ParseUUIDPipe({
  version: '4',
  exceptionFactory: () => new BadRequestException('request id must be a UUID v4, as POST /analyze returned it in request_id'),
});

function toStatusDto(record: AnalysisRecord): AnalysisStatusDto {
  return {
    request_id: record.requestId,
    status: record.status,
    submitted_at: record.submittedAt,
    started_at: record.startedAt ?? null,
    finished_at: record.finishedAt ?? null,
    attempts: record.attempts,
    cached: record.cached,
    ...(record.result && { result: record.result }),
    ...(record.error && { error: record.error }),
  };
}

@ApiTags('analysis')
@Controller('status')
export class GetAnalysisController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  @ThrottleAs('poll')
  @UseInterceptors(FinishedAnswerCacheInterceptor)
  @CacheTTL(FINISHED_ANSWER_CACHE_MS)
  @ApiOperation({
    summary: 'Poll one request',
    description: 'queued and processing answers carry Retry-After (seconds) suggesting when to poll again, and Cache-Control: no-store. The id may be sent in either case.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The request_id that POST /analyze returned (a UUID v4)' })
  @ApiOkResponse({
    type: AnalysisStatusDto,
    headers: { 'Retry-After': { description: 'On queued and processing answers: seconds before polling again', schema: { type: 'integer' } } },
  })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'The id is not a UUID v4' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such request (or its record expired after RESULT_TTL)' })
  @ApiThrottled('More than THROTTLE_STATUS_LIMIT polls in THROTTLE_TTL seconds')
  @ApiUnavailableResponse(UNAVAILABLE_BECAUSE.redis, UNAVAILABLE_BECAUSE.processFull, UNAVAILABLE_BECAUSE.stopping)
  async get(@Param('id', requestIdPipe) requestId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<AnalysisStatusDto> {
    // A UUID's hex digits may come in either case; ids are issued, and stored, in lower case.
    const record = await this.queryBus.execute<GetAnalysisQuery, AnalysisRecord | undefined>(new GetAnalysisQuery(requestId.toLowerCase()));
    if (!record) throw new NotFoundException(`no analysis request ${requestId}: check the id, or submit the paper again if it is older than the retention period`);
    // An unfinished answer is out of date at the next poll: no cache on the way may keep it.
    if (!isFinished(record.status)) reply.header('Retry-After', String(POLL_AGAIN_AFTER_SECONDS)).header('Cache-Control', 'no-store');
    return toStatusDto(record);
  }
}
