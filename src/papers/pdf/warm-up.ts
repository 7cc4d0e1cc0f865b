import { readDocument } from './read-document';
import { Pdfjs } from './read-pdf-pages';

const WARM_UP_TEXT = 'Warming up the reader: loading its worker, fonts and compiled code before the first real paper arrives.';

/**
 * Reads a small PDF once, so that pdf.js has loaded everything it loads lazily (its worker code, font data, threads)
 * before the process counts as started: the first real document is then read at full speed, and the memory cap,
 * measured from a started process, is left entirely for documents.
 */
export async function warmUp(pdfjs: Pdfjs): Promise<void> {
  await readDocument(pdfjs, onePagePdf(WARM_UP_TEXT), 1);
}

function onePagePdf(text: string): Uint8Array {
  const content = `BT /F1 11 Tf 1 0 0 1 72 720 Tm (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let pdf = '%PDF-1.7\n';
  const offsets = objects.map((object, index) => {
    const offset = pdf.length;
    pdf += `${index + 1} 0 obj\n${object}\nendobj\n`;
    return offset;
  });
  const xref = offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  const trailer = `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${pdf.length}\n%%EOF\n`;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${xref}${trailer}`;
  return new Uint8Array(Buffer.from(pdf, 'latin1'));
}
