import { ExtractedPdf } from './extracted-pdf';
import { DocumentFailure } from './extraction-protocol';
import { composeDocument } from './layout/compose-document';
import { PdfPage } from './layout/page-content';
import { Pdfjs, openPdf, readPages } from './read-pdf-pages';

/** Fewer letters than this per page on average: the pages are images (a scan) or blank. */
const MIN_LETTERS_PER_PAGE = 40;
/** Image XObjects are streams, and streams never sit inside compressed object streams: their type is always in plain sight. */
const IMAGE_XOBJECT = /\/Subtype\s*\/Image\b/;

export class DocumentFailureError extends Error {
  constructor(
    readonly failure: DocumentFailure,
    readonly pages?: number,
  ) {
    super(failure);
  }
}

/** Reads a PDF's text, or throws a DocumentFailureError saying why it cannot be read. */
export async function readDocument(pdfjs: Pdfjs, bytes: Uint8Array, maxPages: number): Promise<ExtractedPdf> {
  let pages: PdfPage[];
  try {
    const document = await openPdf(pdfjs, bytes);
    try {
      if (document.numPages > maxPages) throw new DocumentFailureError('too-many-pages', document.numPages);
      pages = await readPages(document);
    } finally {
      await document.destroy();
    }
  } catch (error) {
    throw error instanceof DocumentFailureError ? error : new DocumentFailureError(failureOf(error));
  }
  const letters = pages.reduce((count, page) => count + page.items.reduce((sum, item) => sum + letterCount(item.text), 0), 0);
  if (letters < MIN_LETTERS_PER_PAGE * Math.max(1, pages.length)) throw new DocumentFailureError(hasImages(bytes) ? 'no-text' : 'empty');
  return { ...composeDocument(pages), pages: pages.length };
}

function failureOf(error: unknown): DocumentFailure {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : '';
  if (name === 'PasswordException') return 'password';
  // pdf.js passes errors from its worker side on as plain copies: the message is what survives.
  if (/allocation failed|invalid array length|out of memory/i.test(message)) return 'memory';
  return 'corrupt';
}

function hasImages(bytes: Uint8Array): boolean {
  return IMAGE_XOBJECT.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
}

function letterCount(text: string): number {
  return text.match(/\p{L}/gu)?.length ?? 0;
}
