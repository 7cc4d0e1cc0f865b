import { dirname, join } from 'node:path';
import type { PDFDocumentProxy, TextItem as PdfjsTextItem, TextMarkedContent } from 'pdfjs-dist/types/src/display/api';
import { PdfPage, TextItem } from './layout/page-content';

export type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

/** Text extraction needs no images: anything bigger than a dot is skipped, never decoded. */
const MAX_IMAGE_PIXELS = 1;
/** Text whose direction deviates from horizontal by more than this (sine of the angle) is margin decoration. */
const MAX_SLANT = 0.05;

const PDFJS_ROOT = dirname(require.resolve('pdfjs-dist/package.json'));

/**
 * pdf.js ships as ES modules only. tsc compiles this import() to require(), which Node (20.19+, 22.12+) can do for
 * ES modules without top-level await, such as pdf.js.
 */
export function loadPdfjs(): Promise<Pdfjs> {
  return import('pdfjs-dist/legacy/build/pdf.mjs');
}

export function openPdf(pdfjs: Pdfjs, bytes: Uint8Array): Promise<PDFDocumentProxy> {
  return pdfjs.getDocument({
    data: bytes,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWasm: false,
    enableXfa: false,
    isOffscreenCanvasSupported: false,
    maxImageSize: MAX_IMAGE_PIXELS,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
    cMapUrl: join(PDFJS_ROOT, 'cmaps') + '/',
    cMapPacked: true,
    standardFontDataUrl: join(PDFJS_ROOT, 'standard_fonts') + '/',
  }).promise;
}

/** Every page's upright text items, positions relative to the page's bottom left corner. */
export async function readPages(document: PDFDocumentProxy): Promise<PdfPage[]> {
  const pages: PdfPage[] = [];
  for (let number = 1; number <= document.numPages; number++) {
    const page = await document.getPage(number);
    const [left, bottom, right, top] = page.view;
    const content = await page.getTextContent();
    pages.push({ width: right - left, height: top - bottom, items: uprightItems(content.items, left, bottom) });
    page.cleanup();
  }
  return pages;
}

function uprightItems(items: ReadonlyArray<PdfjsTextItem | TextMarkedContent>, left: number, bottom: number): TextItem[] {
  const upright: TextItem[] = [];
  for (const item of items) {
    if (!('str' in item) || item.str.trim() === '') continue;
    const [a, b, c, d, x, y] = item.transform as number[];
    const size = Math.hypot(c, d);
    if (size === 0 || Math.abs(b) > MAX_SLANT * Math.hypot(a, b) || Math.abs(c) > MAX_SLANT * size || d < 0) continue;
    upright.push({ text: item.str, x: x - left, y: y - bottom, width: item.width, size, font: item.fontName });
  }
  return upright;
}
