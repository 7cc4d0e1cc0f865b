import { ExtractedPdf } from './extracted-pdf';

/** Failures the extraction process recognises itself; time and memory limits are the parent's to judge. */
export type DocumentFailure = 'corrupt' | 'password' | 'no-text' | 'empty' | 'too-many-pages' | 'memory';

export interface ExtractionRequest {
  id: number;
  bytes: Uint8Array;
  maxPages: number;
}

export type ExtractionReply =
  | { type: 'ready' }
  | { type: 'extracted'; id: number; document: ExtractedPdf }
  | { type: 'failed'; id: number; failure: DocumentFailure; pages?: number };
