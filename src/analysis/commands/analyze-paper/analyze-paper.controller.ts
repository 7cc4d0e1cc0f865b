import { Body, Controller, HttpCode, HttpStatus, Inject, PayloadTooLargeException, Post, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBody, ApiOkResponse, ApiOperation, ApiPayloadTooLargeResponse, ApiServiceUnavailableResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnsupportedMediaTypeResponse } from '@nestjs/swagger';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { ThrottleAs } from '../../../throttling/throttle-kind.decorator';
import { QueueCapacityGuard } from '../../../admission/queue-capacity.guard';
import { ErrorResponseDto } from '../../../common/error-response.dto';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { AnalysisAcceptedDto, AnalysisCachedDto } from '../../dto/analysis-responses.dto';
import { AnalyzePaperCommand, AnalyzePaperOutcome } from './analyze-paper.command';
import { ANALYZE_PAPER_BODY_SCHEMA, AnalyzePaperBody, AnalyzePaperRequest, requireTextOrAbstract } from './analyze-paper.request';

export const statusUrl = (requestId: string) => `/status/${requestId}`;

@ThrottleAs('submit')
@ApiTags('analysis')
@Controller()
export class AnalyzePaperController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('analyze')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(QueueCapacityGuard)
  @RouteSchema({ body: ANALYZE_PAPER_BODY_SCHEMA })
  @ApiBody({ type: AnalyzePaperRequest })
  @ApiOperation({
    summary: 'Submit a paper for analysis',
    description: 'Answers at once with a request id to poll. When the same content was analysed before, answers 200 with the result.',
  })
  @ApiAcceptedResponse({ type: AnalysisAcceptedDto, description: 'Queued; poll status_url (also in the Location header)' })
  @ApiOkResponse({ type: AnalysisCachedDto, description: 'Answered from the result cache' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A field is missing or malformed; the message names each one' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: 'The text is longer than MAX_TEXT_CHARS' })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorResponseDto, description: 'The body is not application/json' })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'This client sent more than THROTTLE_LIMIT submissions in THROTTLE_TTL seconds, or the queue holds MAX_QUEUE_SIZE papers; retry after Retry-After seconds',
  })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'Redis is unreachable; try again shortly' })
  async analyze(@Body() request: AnalyzePaperBody, @Res({ passthrough: true }) reply: FastifyReply): Promise<AnalysisAcceptedDto | AnalysisCachedDto> {
    requireTextOrAbstract(request);
    this.checkTextLength(request.text);
    const outcome: AnalyzePaperOutcome = await this.commandBus.execute(new AnalyzePaperCommand(request));
    if (outcome.status === 'done') {
      reply.status(HttpStatus.OK);
      return { request_id: outcome.requestId, status: 'done', cached: true, result: outcome.result };
    }
    const url = statusUrl(outcome.requestId);
    reply.header('Location', url);
    return { request_id: outcome.requestId, status: 'queued', status_url: url };
  }

  private checkTextLength(text: string | undefined): void {
    const limit = this.config.http.maxTextChars;
    if (text && text.length > limit) {
      throw new PayloadTooLargeException(
        `text has ${text.length.toLocaleString('en')} characters; the limit is ${limit.toLocaleString('en')} (MAX_TEXT_CHARS): send a shorter text`,
      );
    }
  }
}
