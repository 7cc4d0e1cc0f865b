import { Inject, Injectable, Logger, UnprocessableEntityException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS } from '../../analysis/commands/analyze-paper/analyze-paper.request';
import { hasText, normaliseText } from '../../analysis/paper-content';
import { ServiceBusyException } from '../../common/service-busy.exception';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { ExtractionQueueFullError, ExtractionUnavailableError, PdfTextExtractor } from '../pdf/pdf-text-extractor';
import { UnreadableDocumentError } from '../unreadable-document.error';
import { identifyDocument } from './document-kind';
import { discardRestOfBody, readMultipartUpload } from './multipart-upload';

/** A paper as a submission carries it, whichever way it came. */
export interface SubmittedPaper {
  title?: string;
  abstract?: string;
  text?: string;
}

const FIELD_LIMITS = { title: MAX_TITLE_CHARS, abstract: MAX_ABSTRACT_CHARS };
/** A PDF's large type runs longer than any title a client may send, once normalised, only when it is not one: it is left out. */
const withinTitleLimit = (title: string | undefined) => (title && normaliseText(title).length <= MAX_TITLE_CHARS ? title : undefined);
/** Uploads held in memory at once by one process: at MAX_UPLOAD_MB each, this bounds what they can take. */
const MAX_UPLOADS_IN_PROGRESS = 16;
const BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * Turns an uploaded document into the paper's text while the upload is being answered, so that a file
 * that cannot be read is refused at once (415, 422) and only text is ever queued.
 */
@Injectable()
export class UploadedPaperReader {
  private readonly logger = new Logger(UploadedPaperReader.name);
  private readonly maxFileBytes: number;
  private uploadsInProgress = 0;

  constructor(
    private readonly pdfs: PdfTextExtractor,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxFileBytes = config.upload.maxBytes;
  }

  async read(request: FastifyRequest): Promise<SubmittedPaper> {
    if (this.uploadsInProgress >= MAX_UPLOADS_IN_PROGRESS) {
      discardRestOfBody(request);
      throw new ServiceBusyException(`${MAX_UPLOADS_IN_PROGRESS} uploads are being read already: try again in a few seconds`, BUSY_RETRY_AFTER_SECONDS);
    }
    this.uploadsInProgress++;
    try {
      const { file, fields } = await readMultipartUpload(request, FIELD_LIMITS, this.maxFileBytes);
      const document = await this.documentText(file);
      if (!hasText(document.text)) throw new UnprocessableEntityException('the document holds no text: send a paper with text in it');
      return { title: fields.title ?? withinTitleLimit(document.title), abstract: fields.abstract, text: document.text };
    } finally {
      this.uploadsInProgress--;
    }
  }

  private async documentText(file: Buffer): Promise<{ title?: string; text: string }> {
    const identified = identifyDocument(file);
    if (identified.kind === 'text') return { text: identified.text };
    if (identified.kind === 'unsupported') {
      throw new UnsupportedMediaTypeException(`the file is ${identified.description}: send a PDF, a plain text or a Markdown file`);
    }
    try {
      return await this.pdfs.extract(file);
    } catch (error) {
      if (error instanceof UnreadableDocumentError) {
        this.logger.warn(`Refused an uploaded PDF of ${file.length.toLocaleString('en')} bytes: ${error.reason}`);
        throw new UnprocessableEntityException(error.message);
      }
      if (error instanceof ExtractionQueueFullError) throw new ServiceBusyException(error.message, BUSY_RETRY_AFTER_SECONDS);
      if (error instanceof ExtractionUnavailableError) {
        // Why (a process that would not start, its exit code) is for the operator, not the client.
        this.logger.error(`Could not read an uploaded PDF: ${error.message}`);
        throw new ServiceBusyException('PDFs cannot be read at the moment: try again in a few seconds, or send the paper\'s text as JSON', BUSY_RETRY_AFTER_SECONDS);
      }
      throw error;
    }
  }
}
