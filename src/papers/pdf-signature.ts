const PDF_SIGNATURE = Buffer.from('%PDF-');
/** PDF readers look for the signature anywhere in the first kilobyte; some writers put junk before it. */
const PDF_SIGNATURE_WINDOW = 1024;

/** Where the PDF signature starts within the first kilobyte, or -1. */
export function pdfSignatureOffset(bytes: Uint8Array): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, PDF_SIGNATURE_WINDOW)).indexOf(PDF_SIGNATURE);
}

/** Whether the bytes start, near enough, as a PDF does. */
export const hasPdfSignature = (bytes: Uint8Array): boolean => pdfSignatureOffset(bytes) >= 0;
