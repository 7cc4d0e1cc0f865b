import { BodyStyle } from './body-style';
import { PlacedLine } from './page-content';

/** A heading is set at least this much larger than the running text, or in another font at the start of a block. */
const HEADING_SIZE_RATIO = 1.1;
const MAX_HEADING_CHARS = 150;
/** A heading in the body's size is shorter than this share of its column's width. */
const MAX_HEADING_WIDTH = 0.8;
/** A vertical gap this many times the line spacing separates paragraphs. */
const PARAGRAPH_GAP = 1.4;
const SIZE_CHANGE = 0.1;
/** A first-line indent, in font sizes. */
const INDENT = [0.5, 4] as const;
/** A line ending this share of the column's width before its right margin ends a paragraph (with a full stop). */
const SHORT_LINE = 0.12;
/** "3.1.", "IV." or "B." before a title: a heading of its own, even right below another one. */
const SECTION_NUMBER = /^(\d{1,2}(\.\d{1,2})*\.?|[IVX]{1,5}\.|[A-Z]\.)\s+\S/;

export interface Block {
  heading: boolean;
  lines: PlacedLine[];
}

/** Groups a page's lines (in reading order) into headings and paragraphs. */
export function pageBlocks(lines: readonly PlacedLine[], style: BodyStyle): Block[] {
  const blocks: Block[] = [];
  let previous: PlacedLine | undefined;
  for (const [index, line] of lines.entries()) {
    const heading = isHeading(line, previous, lines[index + 1], style);
    const current = blocks.at(-1);
    const continues =
      current !== undefined &&
      previous !== undefined &&
      (current.heading ? heading && continuesHeading(previous, line, style) : !heading && continuesParagraph(previous, line, style));
    if (continues) current.lines.push(line);
    else blocks.push({ heading, lines: [line] });
    previous = line;
  }
  return blocks;
}

/** A heading block is one line of text, however many lines it was printed on. */
export function blockText(block: Block): string {
  return block.lines.map((line) => line.text).join(block.heading ? ' ' : '\n');
}

function isHeading(line: PlacedLine, previous: PlacedLine | undefined, next: PlacedLine | undefined, style: BodyStyle): boolean {
  if (line.text.length > MAX_HEADING_CHARS || !/\p{L}/u.test(line.text)) return false;
  if (next && continuesIntoBody(line, next)) return false;
  if (line.size >= HEADING_SIZE_RATIO * style.size) return true;
  const columnWidth = line.column.right - line.column.left;
  return (
    line.singleFont &&
    line.font !== style.font &&
    line.size >= (1 - SIZE_CHANGE) * style.size &&
    /^[\p{Lu}\d]/u.test(line.text) &&
    line.x1 - line.x0 < MAX_HEADING_WIDTH * columnWidth &&
    (previous === undefined || !sameColumn(previous, line) || previous.y - line.y > PARAGRAPH_GAP * style.lineSpacing)
  );
}

/** The sentence goes on in the next line, set like running text: this line is the start of a paragraph. */
function continuesIntoBody(line: PlacedLine, next: PlacedLine): boolean {
  return sameColumn(line, next) && next.font !== line.font && !/[.:!?]$/.test(line.text) && /^\p{Ll}/u.test(next.text);
}

function continuesHeading(previous: PlacedLine, line: PlacedLine, style: BodyStyle): boolean {
  return (
    !SECTION_NUMBER.test(line.text) &&
    sameColumn(previous, line) &&
    previous.font === line.font &&
    Math.abs(previous.size - line.size) < SIZE_CHANGE * line.size &&
    previous.y - line.y < 2 * Math.max(line.size, style.lineSpacing)
  );
}

function continuesParagraph(previous: PlacedLine, line: PlacedLine, style: BodyStyle): boolean {
  if (Math.abs(previous.size - line.size) > SIZE_CHANGE * Math.max(previous.size, line.size)) return false;
  if (isIndented(line) && !isIndented(previous)) return false;
  if (endsShort(previous) && /^\p{Lu}/u.test(line.text)) return false;
  if (!sameColumn(previous, line)) return true;
  const gap = previous.y - line.y;
  return gap > 0 && gap <= PARAGRAPH_GAP * Math.max(style.lineSpacing, line.size);
}

function isIndented(line: PlacedLine): boolean {
  const indent = line.x0 - line.column.left;
  return indent >= INDENT[0] * line.size && indent <= INDENT[1] * line.size;
}

function endsShort(line: PlacedLine): boolean {
  const width = line.column.right - line.column.left;
  return /[.!?:]$/.test(line.text) && line.x1 < line.column.right - SHORT_LINE * width;
}

function sameColumn(a: PlacedLine, b: PlacedLine): boolean {
  return a.column === b.column;
}
