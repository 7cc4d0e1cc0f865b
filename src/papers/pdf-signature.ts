const PDF_SIGNATURE = Buffer.from('%PDF-');
/** PDF readers look for the signature anywhere in the first kilobyte; some writers put junk before it. */
const PDF_SIGNATURE_WINDOW = 1024;

/** Whether the bytes start, near enough, as a PDF does. */
export function hasPdfSignature(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, PDF_SIGNATURE_WINDOW)).includes(PDF_SIGNATURE);
}
