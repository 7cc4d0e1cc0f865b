import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PdfTextExtractor } from './pdf/pdf-text-extractor';
import { UploadedPaperReader } from './upload/uploaded-paper.reader';

/** Reading uploaded papers: text files as they are, PDFs through a pool of extraction processes. */
@Module({
  providers: [
    { provide: PdfTextExtractor, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new PdfTextExtractor({ timeoutMs: config.upload.pdfTimeoutMs }) },
    UploadedPaperReader,
  ],
  exports: [UploadedPaperReader],
})
export class PapersModule implements OnApplicationShutdown {
  constructor(@Inject(PdfTextExtractor) private readonly pdfs: PdfTextExtractor) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pdfs.close();
  }
}
