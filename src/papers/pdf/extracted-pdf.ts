/** A PDF's text in reading order. */
export interface ExtractedPdf {
  /** The largest text near the top of the first page, when it stands out from the running text. */
  title?: string;
  /** Each page after the first starts with a form feed; "\n" ends a line, a blank line a paragraph; headings have lines of their own. */
  text: string;
  pages: number;
}
