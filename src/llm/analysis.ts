/** A paper as the analysers receive it: already normalised, identified by an id unique within one call. */
export interface PaperDocument {
  id: string;
  title?: string;
  abstract?: string;
  text: string;
}

/** A part of the paper, named as the paper writes its heading, with character offsets into the paper's text. */
export interface PaperSection {
  name: string;
  start: number;
  end: number;
}

/** What an analyser writes about one paper. */
export interface AnalysisFields {
  title: string;
  summary: string;
  key_findings: string[];
  methodology: string;
  results: string;
  limitations: string[];
  keywords: string[];
}

export type LlmProvider = 'groq' | 'offline';

/** The result a client receives. */
export interface AnalysisResult extends AnalysisFields {
  sections: PaperSection[];
  provider: LlmProvider;
  model: string;
}
