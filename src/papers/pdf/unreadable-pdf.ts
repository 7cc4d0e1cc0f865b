import { UnreadableDocumentError, UnreadableReason } from '../unreadable-document.error';

export interface ExtractionLimits {
  timeoutMs: number;
  memoryLimitMb: number;
  maxPages: number;
}

const OR_THE_TEXT = 'or send the text itself';

/** The client-facing refusal for each reason a PDF cannot be read. */
export function unreadablePdf(reason: UnreadableReason, limits: ExtractionLimits, pages?: number): UnreadableDocumentError {
  return new UnreadableDocumentError(reason, messageFor(reason, limits, pages));
}

function messageFor(reason: UnreadableReason, limits: ExtractionLimits, pages?: number): string {
  switch (reason) {
    case 'not-pdf':
      return `the file is not a PDF (it does not start with %PDF-): send the paper as a PDF, ${OR_THE_TEXT}`;
    case 'corrupt':
      return `the PDF is damaged and cannot be read: export or download it again, ${OR_THE_TEXT}`;
    case 'password':
      return `the PDF is password-protected: send a copy without a password, ${OR_THE_TEXT}`;
    case 'no-text':
      return `the PDF has no text layer; it looks scanned: send a PDF with selectable text, ${OR_THE_TEXT}`;
    case 'empty':
      return `the PDF contains no text: send the paper's PDF with its text in it, ${OR_THE_TEXT}`;
    case 'too-many-pages':
      return `the PDF has ${pages ?? 'too many'} pages and at most ${limits.maxPages} are read: send the paper on its own, ${OR_THE_TEXT}`;
    case 'timeout':
      return `reading the PDF took longer than the ${formatSeconds(limits.timeoutMs)} allowed: send a smaller or simpler PDF, ${OR_THE_TEXT}`;
    case 'memory':
      return (
        `reading the PDF needed more than the ${limits.memoryLimitMb} MB of memory allowed ` +
        `(it may be damaged or built to exhaust readers): send a smaller PDF, ${OR_THE_TEXT}`
      );
  }
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
