import { pdfSignatureOffset } from '../pdf-signature';

/** What an uploaded file's bytes say it is: the name and declared type are the client's, and may be wrong. */
export type DocumentKind = { kind: 'pdf' } | { kind: 'text'; text: string } | { kind: 'unsupported'; description: string };

const BINARY_SIGNATURES: ReadonlyArray<readonly [string, Buffer]> = [
  ['a PNG image', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
  ['a JPEG image', Buffer.from([0xff, 0xd8, 0xff])],
  ['a GIF image', Buffer.from('GIF8')],
  ['a TIFF image', Buffer.from([0x49, 0x49, 0x2a, 0x00])],
  ['a TIFF image', Buffer.from([0x4d, 0x4d, 0x00, 0x2a])],
  ['a ZIP archive (a Word, OpenDocument or EPUB file?)', Buffer.from([0x50, 0x4b, 0x03, 0x04])],
  ['a gzip archive', Buffer.from([0x1f, 0x8b])],
  ['an old Word or Office document', Buffer.from([0xd0, 0xcf, 0x11, 0xe0])],
  ['a PostScript file', Buffer.from('%!PS')],
  ['an RTF document', Buffer.from('{\\rtf')],
];

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const UTF16_ENCODINGS: ReadonlyArray<readonly ['utf-16le' | 'utf-16be', Buffer]> = [
  ['utf-16le', Buffer.from([0xff, 0xfe])],
  ['utf-16be', Buffer.from([0xfe, 0xff])],
];
/** Control characters that no text document holds: NUL and the C0 set apart from tab, line feed, form feed, carriage return. */
const BINARY_CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f]/;

const NOT_BLANK = /\S/;

/** Decides from the bytes whether a file is a PDF, text (plain or Markdown) in UTF-8 or UTF-16, or neither. */
export function identifyDocument(bytes: Buffer): DocumentKind {
  const signatureAt = pdfSignatureOffset(bytes);
  // Junk a PDF writer put before the signature is blank or binary; text before it is a document that mentions PDFs.
  if (signatureAt >= 0 && !NOT_BLANK.test(bytes.toString('latin1', 0, signatureAt))) return { kind: 'pdf' };
  const binary = BINARY_SIGNATURES.find(([, signature]) => startsWith(bytes, signature));
  if (binary) return { kind: 'unsupported', description: binary[0] };
  const text = decodeText(bytes);
  if (text !== undefined && !BINARY_CONTROL.test(text)) return { kind: 'text', text };
  return signatureAt >= 0 ? { kind: 'pdf' } : { kind: 'unsupported', description: 'binary data that is neither a PDF nor text' };
}

function decodeText(bytes: Buffer): string | undefined {
  const utf16 = UTF16_ENCODINGS.find(([, bom]) => startsWith(bytes, bom));
  const [encoding, bomLength] = utf16 ? [utf16[0], 2] : ['utf-8', startsWith(bytes, UTF8_BOM) ? UTF8_BOM.length : 0];
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(bomLength));
  } catch {
    return undefined;
  }
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}
