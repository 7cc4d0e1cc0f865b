import { heaviest, smallest } from './measures';
import { TextItem, TextLine } from './page-content';

/** Items whose baselines differ by less than this share of their size are on one line (superscripts included). */
const SAME_LINE_TOLERANCE = 0.5;
/** A horizontal gap wider than this share of the font size separates two words. */
const WORD_GAP = 0.15;
/** The same text drawn twice within this distance (a fake bold) is kept once. */
const OVERPRINT_DISTANCE = 1.5;

/** Rebuilds printed lines from text items, top of the page first. */
export function buildLines(items: readonly TextItem[]): TextLine[] {
  const byBaseline = [...items].sort((a, b) => b.y - a.y || a.x - b.x);
  const groups: TextItem[][] = [];
  let current: TextItem[] = [];
  let baseline = Number.NaN;
  let lineSize = 0;
  for (const item of byBaseline) {
    const tolerance = SAME_LINE_TOLERANCE * Math.max(lineSize, item.size);
    if (current.length > 0 && Math.abs(baseline - item.y) <= tolerance) {
      current.push(item);
      if (item.size > lineSize) [baseline, lineSize] = [item.y, item.size];
      continue;
    }
    if (current.length > 0) groups.push(current);
    current = [item];
    [baseline, lineSize] = [item.y, item.size];
  }
  if (current.length > 0) groups.push(current);
  return groups.map(lineOf);
}

function lineOf(items: TextItem[]): TextLine {
  const ordered = withoutOverprints([...items].sort((a, b) => a.x - b.x));
  let text = '';
  let end = Number.NEGATIVE_INFINITY;
  for (const item of ordered) {
    const gap = item.x - end;
    if (text !== '' && gap > WORD_GAP * item.size && !text.endsWith(' ') && !item.text.startsWith(' ')) text += ' ';
    text += item.text;
    end = Math.max(end, item.x + item.width);
  }
  const main = heaviest(ordered.map((item) => [`${roundSize(item.size)}|${item.font}`, charCount(item.text)]));
  const [size, font] = main.split('|');
  const tallest = ordered.reduce((best, item) => (item.size > best.size ? item : best));
  return {
    text: text.replace(/\s+/g, ' ').trim(),
    x0: smallest(ordered.map((item) => item.x)),
    x1: end,
    y: tallest.y,
    size: Number(size),
    font,
    singleFont: ordered.every((item) => item.font === font),
  };
}

function withoutOverprints(ordered: readonly TextItem[]): TextItem[] {
  const overprints = (earlier: TextItem, item: TextItem): boolean =>
    earlier.text === item.text && Math.abs(earlier.x - item.x) < OVERPRINT_DISTANCE && Math.abs(earlier.y - item.y) < OVERPRINT_DISTANCE;
  return ordered.filter((item, index) => !ordered.slice(Math.max(0, index - 2), index).some((earlier) => overprints(earlier, item)));
}

/** Sizes to a quarter point, so 9.96 and 9.97 count as one size. */
export function roundSize(size: number): number {
  return Math.round(size * 4) / 4;
}

export function charCount(text: string): number {
  return text.replace(/\s+/g, '').length;
}
