import { BodyStyle } from './body-style';
import { largest } from './measures';
import { PlacedLine } from './page-content';

/** The title is set at least this much larger than the running text. */
const TITLE_SIZE_RATIO = 1.15;
/** ...in the top part of the first page. */
const TITLE_ZONE = 0.5;
const SAME_SIZE = 0.25;
/** Lines of one title are at most this many font sizes apart. */
const MAX_TITLE_LEADING = 2;

/** The largest text near the top of the first page, its lines joined, if it stands out from the running text. */
export function documentTitle(firstPage: readonly PlacedLine[], pageHeight: number, style: BodyStyle): string | undefined {
  const candidates = firstPage.filter((line) => line.y > (1 - TITLE_ZONE) * pageHeight && /\p{L}{2}/u.test(line.text));
  if (candidates.length === 0) return undefined;
  const largestSize = largest(candidates.map((line) => line.size));
  if (largestSize < TITLE_SIZE_RATIO * style.size) return undefined;
  const start = candidates.findIndex((line) => line.size >= largestSize - SAME_SIZE);
  const title = [candidates[start]];
  for (const line of candidates.slice(start + 1)) {
    const previous = title[title.length - 1];
    const sameStyle = Math.abs(line.size - previous.size) <= SAME_SIZE && line.font === previous.font;
    if (!sameStyle || previous.y - line.y > MAX_TITLE_LEADING * line.size) break;
    title.push(line);
  }
  return title
    .map((line) => line.text)
    .join(' ')
    .normalize('NFKC')
    .replace(/\s+/g, ' ')
    .trim();
}
