import { ColumnBounds, PdfPage, PlacedLine, TextItem, TextLine } from './page-content';
import { heaviest, largest, median, smallest } from './measures';
import { buildLines, charCount } from './text-lines';

/** The gap between two columns is looked for in this middle part of the page (shares of its width). */
const GUTTER_REGION = [0.3, 0.7] as const;
const MIN_GUTTER_WIDTH = 8;
/**
 * Text crossing the gutter this much, relative to the columns on either side, is the odd title, table or figure.
 * Text is counted in characters, so a line of prose weighs more than a table's numbers.
 */
const GUTTER_NOISE = 0.5;
/** The gutter itself is no busier than its quietest point plus this share of the columns' text. */
const GUTTER_DEPTH_MARGIN = 0.03;
/** Each column holds at least this share of the page's characters. */
const MIN_COLUMN_SHARE = 0.15;
/** A line spans both columns when it reaches this share of a column's width into each. */
const SPAN_REACH = 0.15;
const SAME_ROW_TOLERANCE = 0.5;

interface Gutter {
  start: number;
  end: number;
}

/**
 * The page's lines in reading order. On a two-column page each stretch between full-width lines (title block,
 * wide figures and tables) is read left column first, then right column.
 */
export function placeLines(page: PdfPage): PlacedLine[] {
  const items = page.items.filter((item) => item.text.trim() !== '');
  const gutter = items.length > 0 ? findGutter(page, items) : undefined;
  if (!gutter) {
    const lines = buildLines(items);
    return placed(lines, boundsOf(lines));
  }
  const { left, right, spanning } = splitAtGutter(items, gutter);
  const leftLines = buildLines(left);
  const rightLines = buildLines(right);
  const leftBounds = boundsOf(leftLines);
  const rightBounds = boundsOf(rightLines);
  const fullBounds = { left: Math.min(leftBounds.left, rightBounds.left), right: Math.max(leftBounds.right, rightBounds.right) };
  return inReadingOrder(placed(leftLines, leftBounds), placed(rightLines, rightBounds), placed(spanning, fullBounds));
}

function findGutter(page: PdfPage, items: readonly TextItem[]): Gutter | undefined {
  const coverage = textCoverage(page, items);
  const center = Math.round(page.width / 2);
  const textStart = Math.floor(smallest(items.map((item) => item.x)));
  const textEnd = Math.ceil(largest(items.map((item) => item.x + item.width)));
  const columnLevel = Math.min(median(coverage.slice(textStart, center)), median(coverage.slice(center, textEnd)));
  const [regionStart, regionEnd] = GUTTER_REGION.map((share) => Math.round(share * page.width));
  let best: Gutter | undefined;
  let runStart = -1;
  for (let x = regionStart; x <= regionEnd + 1; x++) {
    const quiet = x <= regionEnd && coverage[x] <= GUTTER_NOISE * columnLevel;
    if (quiet && runStart < 0) runStart = x;
    if (!quiet && runStart >= 0) {
      if (!best || x - runStart > best.end - best.start) best = { start: runStart, end: x };
      runStart = -1;
    }
  }
  if (!best) return undefined;
  const gutter = deepestPart(coverage, best, columnLevel);
  if (gutter.end - gutter.start < MIN_GUTTER_WIDTH) return undefined;
  return hasTextOnBothSides(items, gutter) ? gutter : undefined;
}

/** A quiet stretch may include a column's sparse edge (reference numbers, a figure's axis labels): trims it off. */
function deepestPart(coverage: readonly number[], quiet: Gutter, columnLevel: number): Gutter {
  let deepest = quiet.start;
  for (let x = quiet.start; x < quiet.end; x++) if (coverage[x] < coverage[deepest]) deepest = x;
  const limit = coverage[deepest] + GUTTER_DEPTH_MARGIN * columnLevel;
  let start = deepest;
  let end = deepest + 1;
  while (start > quiet.start && coverage[start - 1] <= limit) start--;
  while (end < quiet.end && coverage[end] <= limit) end++;
  return { start, end };
}

/** How many characters of text lie above or below each point of the page's width. */
function textCoverage(page: PdfPage, items: readonly TextItem[]): number[] {
  const coverage = new Array<number>(Math.ceil(page.width) + 1).fill(0);
  for (const item of items) {
    const from = Math.max(0, Math.floor(item.x));
    const to = Math.min(coverage.length - 1, Math.ceil(item.x + item.width));
    const weight = charCount(item.text);
    for (let x = from; x <= to; x++) coverage[x] += weight;
  }
  return coverage;
}

function hasTextOnBothSides(items: readonly TextItem[], gutter: Gutter): boolean {
  let left = 0;
  let right = 0;
  let total = 0;
  for (const item of items) {
    total += item.text.length;
    if (item.x + item.width <= gutter.end) left += item.text.length;
    else if (item.x >= gutter.start) right += item.text.length;
  }
  return left >= MIN_COLUMN_SHARE * total && right >= MIN_COLUMN_SHARE * total;
}

/**
 * Items reaching into the gutter make their whole row (an author line, a wide caption) a spanning line, unless the row
 * only overhangs into the gutter, as a long formula in one column may.
 */
function splitAtGutter(items: readonly TextItem[], gutter: Gutter): { left: TextItem[]; right: TextItem[]; spanning: TextLine[] } {
  const crossing = items.filter((item) => item.x + item.width > gutter.start + 1 && item.x < gutter.end - 1);
  const onCrossingRow = (item: TextItem): boolean =>
    crossing.some((other) => Math.abs(other.y - item.y) <= SAME_ROW_TOLERANCE * Math.max(other.size, item.size));
  const left: TextItem[] = [];
  const right: TextItem[] = [];
  const rowItems: TextItem[] = [];
  for (const item of items) {
    if (onCrossingRow(item)) rowItems.push(item);
    else (item.x + item.width / 2 < (gutter.start + gutter.end) / 2 ? left : right).push(item);
  }
  const textStart = smallest(items.map((item) => item.x));
  const textEnd = largest(items.map((item) => item.x + item.width));
  const reach = SPAN_REACH * Math.min(gutter.start - textStart, textEnd - gutter.end);
  const spanning: TextLine[] = [];
  for (const row of groupRows(rowItems)) {
    const rowStart = smallest(row.map((item) => item.x));
    const rowEnd = largest(row.map((item) => item.x + item.width));
    if (rowStart < gutter.start - reach && rowEnd > gutter.end + reach) spanning.push(...buildLines(row));
    else ((rowStart + rowEnd) / 2 < (gutter.start + gutter.end) / 2 ? left : right).push(...row);
  }
  return { left, right, spanning };
}

function groupRows(items: readonly TextItem[]): TextItem[][] {
  const rows: TextItem[][] = [];
  for (const item of [...items].sort((a, b) => b.y - a.y)) {
    const row = rows.find((candidate) =>
      candidate.some((other) => Math.abs(other.y - item.y) <= SAME_ROW_TOLERANCE * Math.max(other.size, item.size)),
    );
    if (row) row.push(item);
    else rows.push([item]);
  }
  return rows;
}

function inReadingOrder(left: PlacedLine[], right: PlacedLine[], spanning: PlacedLine[]): PlacedLine[] {
  const ordered: PlacedLine[] = [];
  const takeAbove = (lines: PlacedLine[], y: number): void => {
    while (lines.length > 0 && lines[0].y > y) ordered.push(lines.shift() as PlacedLine);
  };
  for (const line of [...spanning].sort((a, b) => b.y - a.y)) {
    takeAbove(left, line.y);
    takeAbove(right, line.y);
    ordered.push(line);
  }
  return [...ordered, ...left, ...right];
}

function placed(lines: readonly TextLine[], column: ColumnBounds): PlacedLine[] {
  return lines.map((line) => ({ ...line, column }));
}

/** Where most lines start and end: a column's margins, whatever headings and formulas stick out. */
function boundsOf(lines: readonly TextLine[]): ColumnBounds {
  if (lines.length === 0) return { left: 0, right: 0 };
  return {
    left: Number(heaviest(lines.map((line) => [String(Math.round(line.x0)), line.text.length]))),
    right: Number(heaviest(lines.map((line) => [String(Math.round(line.x1)), line.text.length]))),
  };
}
