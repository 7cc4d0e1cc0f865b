import { TextLine } from './page-content';
import { heaviest } from './measures';
import { charCount, roundSize } from './text-lines';

/** How the paper's running text is set: what headings stand out from and what paragraph gaps are measured against. */
export interface BodyStyle {
  size: number;
  font: string;
  /** Usual distance between the baselines of two lines of a paragraph. */
  lineSpacing: number;
}

const DEFAULT_LEADING = 1.2;
const MAX_LEADING = 2.5;

/** The size and font most characters are set in, and the usual baseline distance of lines in that size. */
export function bodyStyle(lines: readonly TextLine[]): BodyStyle {
  const size = Number(heaviest(lines.map((line) => [String(roundSize(line.size)), charCount(line.text)])));
  const isBody = (line: TextLine): boolean => roundSize(line.size) === size;
  const font = heaviest(lines.filter(isBody).map((line) => [line.font, charCount(line.text)]));
  const gaps: Array<readonly [string, number]> = [];
  for (let index = 1; index < lines.length; index++) {
    const [previous, line] = [lines[index - 1], lines[index]];
    const gap = previous.y - line.y;
    if (isBody(previous) && isBody(line) && gap > 0 && gap < MAX_LEADING * size) gaps.push([String(roundSize(gap)), 1]);
  }
  const lineSpacing = gaps.length > 0 ? Number(heaviest(gaps)) : DEFAULT_LEADING * size;
  return { size, font, lineSpacing };
}
