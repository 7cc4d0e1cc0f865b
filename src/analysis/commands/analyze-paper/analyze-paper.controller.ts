import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ThrottleAs } from '../../../throttling/throttle-kind.decorator';
import { QueueCapacityGuard } from '../../../admission/queue-capacity.guard';
import { ApiThrottled, ApiUnavailableResponse, UNAVAILABLE_BECAUSE } from '../../../common/api-refusals.decorator';
import { ErrorResponseDto } from '../../../common/error-response.dto';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { AnalysisAcceptedDto, AnalysisCachedDto } from '../../dto/analysis-responses.dto';
import { AnalyzePaperCommand, AnalyzePaperOutcome } from './analyze-paper.command';
import { SubmittedPaper, UploadedPaperReader } from '../../../papers/upload/uploaded-paper.reader';
import { normalisePaper } from '../../paper-content';
import {
  ANALYZE_PAPER_BODY_SCHEMA,
  AnalyzePaperBody,
  AnalyzePaperRequest,
  AnalyzePaperUpload,
  requireNormalisedWithin,
  requireTextOrAbstract,
  requireTextWithin,
} from './analyze-paper.request';

export const statusUrl = (requestId: string) => `/status/${requestId}`;

@ApiTags('analysis')
@Controller()
export class AnalyzePaperController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly uploads: UploadedPaperReader,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('analyze')
  @ThrottleAs('submit')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(QueueCapacityGuard)
  @RouteSchema({ body: { content: { 'application/json': { schema: ANALYZE_PAPER_BODY_SCHEMA } } } })
  @ApiExtraModels(AnalyzePaperRequest, AnalyzePaperUpload)
  @ApiOperation({
    summary: 'Submit a paper for analysis',
    description:
      'Send the paper as JSON (text and/or abstract), or upload it as multipart/form-data: one PDF, plain text or Markdown `file` ' +
      '(at most MAX_UPLOAD_MB) and an optional `title` and `abstract`. An upload is read while the request is answered, so an unreadable ' +
      'document is refused at once and only its text is queued. Answers at once with a request id to poll. When the same ' +
      'content was analysed before, answers 200 with the result.',
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(AnalyzePaperRequest) } },
        'multipart/form-data': { schema: { $ref: getSchemaPath(AnalyzePaperUpload) } },
      },
    },
  })
  @ApiAcceptedResponse({
    type: AnalysisAcceptedDto,
    description: 'Queued; poll status_url (also in the Location header)',
    headers: { Location: { description: 'status_url', schema: { type: 'string' } } },
  })
  @ApiOkResponse({ type: AnalysisCachedDto, description: 'Answered from the result cache' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A field is missing or malformed; the message names each one' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: 'The text is longer than MAX_TEXT_CHARS, or the file larger than MAX_UPLOAD_MB' })
  @ApiUnsupportedMediaTypeResponse({
    type: ErrorResponseDto,
    description: 'The body is neither JSON nor multipart/form-data, or the uploaded file is not a PDF, plain text or Markdown (decided from its bytes)',
  })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description: 'The uploaded document cannot be read: corrupt, password-protected, scanned with no text layer, empty, or too slow or large to extract',
  })
  @ApiThrottled('This client sent more than THROTTLE_LIMIT submissions in THROTTLE_TTL seconds', 'the queue holds MAX_QUEUE_SIZE papers')
  @ApiUnavailableResponse(UNAVAILABLE_BECAUSE.redis, UNAVAILABLE_BECAUSE.uploadsFull, UNAVAILABLE_BECAUSE.bodiesFull, UNAVAILABLE_BECAUSE.processFull, UNAVAILABLE_BECAUSE.stopping)
  async analyze(
    @Body() body: AnalyzePaperBody | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AnalysisAcceptedDto | AnalysisCachedDto> {
    const submitted: SubmittedPaper = request.isMultipart() ? await this.uploads.read(request) : requireTextOrAbstract(body ?? {});
    const { maxTextChars } = this.config.http;
    // Refused before normalising, which would spend time on it.
    requireTextWithin(submitted.text, maxTextChars);
    const paper = requireNormalisedWithin(normalisePaper(submitted), maxTextChars);
    const outcome: AnalyzePaperOutcome = await this.commandBus.execute(new AnalyzePaperCommand(paper));
    if (outcome.status === 'done') {
      reply.status(HttpStatus.OK);
      return { request_id: outcome.requestId, status: 'done', cached: true, result: outcome.result };
    }
    const url = statusUrl(outcome.requestId);
    reply.header('Location', url);
    return { request_id: outcome.requestId, status: 'queued', status_url: url };
  }
}
