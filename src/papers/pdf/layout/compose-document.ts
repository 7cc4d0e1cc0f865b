import { bodyStyle } from './body-style';
import { placeLines } from './columns';
import { documentTitle } from './document-title';
import { joinHyphenatedWords } from './hyphenation';
import { PdfPage } from './page-content';
import { withoutPageFurniture } from './page-furniture';
import { blockText, pageBlocks } from './paragraphs';

export interface ComposedDocument {
  title?: string;
  /** Pages after the first start with a form feed; lines end with "\n", paragraphs with a blank line. */
  text: string;
}

/** Control characters other than line and page breaks, and soft hyphens: nothing a reader sees. */
const INVISIBLE = /[\u0000-\u0008\u000b\u000e-\u001f\u007f\u00ad\u200b\ufeff]/g;

/** Turns positioned text into reading-order plain text: columns, paragraphs and headings, no running heads. */
export function composeDocument(pages: readonly PdfPage[]): ComposedDocument {
  const placed = pages.map((page) => ({ height: page.height, lines: placeLines(page) }));
  const cleaned = withoutPageFurniture(placed);
  const style = bodyStyle(cleaned.flat());
  const title = pages.length > 0 ? documentTitle(cleaned[0], pages[0].height, style) : undefined;
  const pageTexts = cleaned.map((lines) =>
    pageBlocks(lines, style)
      .map(blockText)
      .join('\n\n'),
  );
  const text = joinHyphenatedWords(tidy(pageTexts.join('\n\f')));
  return title ? { title, text } : { text };
}

/** Ligatures and compatibility characters as plain letters ("ﬁ" is "fi"), one space between words. */
function tidy(text: string): string {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(/[^\S\n\f]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}
