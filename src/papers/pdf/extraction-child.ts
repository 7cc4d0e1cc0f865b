/**
 * The extraction process: reads one PDF at a time for its parent (PdfTextExtractor) over the IPC channel, so that
 * pdf.js's work, its memory and any hostile document stay out of the service's own process.
 */
import { ExtractionReply, ExtractionRequest } from './extraction-protocol';
import { DocumentFailureError, readDocument } from './read-document';
import { Pdfjs, loadPdfjs } from './read-pdf-pages';
import { warmUp } from './warm-up';

function reply(message: ExtractionReply): Promise<void> {
  return new Promise((resolve) => process.send?.(message, undefined, undefined, () => resolve()));
}

async function answer(pdfjs: Pdfjs, request: ExtractionRequest): Promise<void> {
  const bytes = new Uint8Array(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength);
  try {
    const document = await readDocument(pdfjs, bytes, request.maxPages);
    await reply({ type: 'extracted', id: request.id, document });
  } catch (error) {
    const failure = error instanceof DocumentFailureError ? error : new DocumentFailureError('corrupt');
    await reply({ type: 'failed', id: request.id, failure: failure.failure, pages: failure.pages });
    // Memory ran out somewhere inside pdf.js: nothing it holds can be trusted any more.
    if (failure.failure === 'memory') process.exit(1);
  }
}

async function serve(): Promise<void> {
  const pdfjs = await loadPdfjs();
  await warmUp(pdfjs);
  process.on('message', (request: ExtractionRequest) => void answer(pdfjs, request));
  process.on('disconnect', () => process.exit(0));
  await reply({ type: 'ready' });
}

void serve();
