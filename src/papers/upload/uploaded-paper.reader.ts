import { Inject, Injectable, Logger, ServiceUnavailableException, UnprocessableEntityException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS } from '../../analysis/commands/analyze-paper/analyze-paper.request';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { ExtractionQueueFullError, ExtractionUnavailableError, PdfTextExtractor } from '../pdf/pdf-text-extractor';
import { UnreadableDocumentError } from '../unreadable-document.error';
import { identifyDocument } from './document-kind';
import { readMultipartUpload } from './multipart-upload';

/** A paper as a submission carries it, whichever way it came. */
export interface SubmittedPaper {
  title?: string;
  abstract?: string;
  text?: string;
}

const FIELD_LIMITS = { title: MAX_TITLE_CHARS, abstract: MAX_ABSTRACT_CHARS };

/**
 * Turns an uploaded document into the paper's text while the upload is being answered, so that a file
 * that cannot be read is refused at once (415, 422) and only text is ever queued.
 */
@Injectable()
export class UploadedPaperReader {
  private readonly logger = new Logger(UploadedPaperReader.name);
  private readonly maxFileBytes: number;

  constructor(
    private readonly pdfs: PdfTextExtractor,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxFileBytes = config.upload.maxBytes;
  }

  async read(request: FastifyRequest): Promise<SubmittedPaper> {
    const { file, fields } = await readMultipartUpload(request, FIELD_LIMITS, this.maxFileBytes);
    const document = await this.documentText(file);
    if (document.text.trim() === '') throw new UnprocessableEntityException('the document holds no text: send a paper with text in it');
    return { title: fields.title ?? document.title, abstract: fields.abstract, text: document.text };
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
      if (error instanceof ExtractionQueueFullError || error instanceof ExtractionUnavailableError) throw new ServiceUnavailableException(error.message);
      throw error;
    }
  }
}
