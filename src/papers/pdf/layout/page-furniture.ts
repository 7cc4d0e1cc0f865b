import { PlacedLine } from './page-content';

/** Running heads and feet sit in this share of the page height at its top or bottom. */
const MARGIN_ZONE = 0.12;
/** A margin line printed on at least this share of the pages (odd or even pages alone count) is running text. */
const RUNNING_SHARE = 0.4;
const SAME_POSITION = 4;
const PAGE_NUMBER = /^(page\s+)?[-–—]?\s*(\d{1,4}|[ivxlc]{1,6})\s*[-–—]?(\s+of\s+\d{1,4})?$/i;

export interface PageLines {
  height: number;
  lines: PlacedLine[];
}

/** Removes running heads and feet (the same line at the same place on many pages) and page numbers. */
export function withoutPageFurniture(pages: readonly PageLines[]): PlacedLine[][] {
  const minRepeats = Math.max(2, Math.ceil(RUNNING_SHARE * pages.length));
  const marginLines = pages.map((page) => page.lines.filter((line) => inMargin(line, page.height)));
  const occurrences = new Map<string, { page: number; y: number }[]>();
  marginLines.forEach((lines, page) => {
    for (const line of lines) {
      const key = runningKey(line.text);
      occurrences.set(key, [...(occurrences.get(key) ?? []), { page, y: line.y }]);
    }
  });
  const isRunning = (line: PlacedLine, page: number): boolean => {
    const samePlace = (occurrences.get(runningKey(line.text)) ?? []).filter(
      (other) => other.page !== page && Math.abs(other.y - line.y) <= SAME_POSITION,
    );
    return new Set(samePlace.map((other) => other.page)).size + 1 >= minRepeats;
  };
  return pages.map((page, index) => {
    const kept = page.lines.filter((line) => !(inMargin(line, page.height) && isRunning(line, index)));
    return withoutPageNumber(kept, page.height);
  });
}

function withoutPageNumber(lines: readonly PlacedLine[], height: number): PlacedLine[] {
  if (lines.length === 0) return [];
  const top = lines.reduce((best, line) => (line.y > best.y ? line : best));
  const bottom = lines.reduce((best, line) => (line.y < best.y ? line : best));
  return lines.filter((line) => !((line === top || line === bottom) && inMargin(line, height) && PAGE_NUMBER.test(line.text)));
}

function inMargin(line: PlacedLine, height: number): boolean {
  return line.y > height * (1 - MARGIN_ZONE) || line.y < height * MARGIN_ZONE;
}

/** Page numbers and dates change from page to page: digits are not part of what repeats. */
function runningKey(text: string): string {
  return text.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ');
}
