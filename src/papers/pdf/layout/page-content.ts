/** A run of text as the PDF places it: position of its baseline start in points, origin at the page's bottom left. */
export interface TextItem {
  text: string;
  x: number;
  y: number;
  width: number;
  /** Font size in points (the text's height on the page). */
  size: number;
  font: string;
}

export interface PdfPage {
  width: number;
  height: number;
  /** Upright text only: rotated text (such as arXiv's stamp in the margin) is left out by the reader. */
  items: TextItem[];
}

/** One printed line of text: items sharing a baseline, in the order they are read. */
export interface TextLine {
  text: string;
  x0: number;
  x1: number;
  /** Baseline of the line's main text (superscripts and subscripts do not move it). */
  y: number;
  /** Size and font that most of the line's characters are set in. */
  size: number;
  font: string;
  /** Every character of the line is in that one font. */
  singleFont: boolean;
}

/** Where a line sits in the page's column structure: a line of one column, or one across the whole text width. */
export interface ColumnBounds {
  left: number;
  right: number;
}

export interface PlacedLine extends TextLine {
  column: ColumnBounds;
}
