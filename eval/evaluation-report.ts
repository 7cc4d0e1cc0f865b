import { machineDescription } from '../bench/lib/machine';
import { fmt } from '../bench/lib/report';
import { HeadingScore, precision, recall } from './heading-match';
import { PaperEvaluation } from './paper-evaluation';
import { RougeScore } from './rouge';
import { RougeScores } from './summary-comparison';

export interface RunDescription {
  command: string;
  revision: string;
  papersDir: string;
}

const METRICS: ReadonlyArray<readonly [label: string, key: keyof RougeScores]> = [
  ['ROUGE-1', 'rouge1'],
  ['ROUGE-2', 'rouge2'],
  ['ROUGE-L', 'rougeL'],
];

/** docs/evaluation.md: extraction speed, section detection and summary quality, each as a table. */
export function evaluationReport(papers: readonly PaperEvaluation[], run: RunDescription): string {
  return [
    '# Evaluation',
    '',
    `Written by \`${run.command}\` on ${new Date().toISOString()}. Machine: ${machineDescription()}. Service: ${run.revision}.`,
    `Papers: the ${papers.length} PDFs in \`${run.papersDir}\`.`,
    '',
    extractionSection(papers),
    sectionDetectionSection(papers),
    summarySection(papers),
  ].join('\n');
}

function extractionSection(papers: readonly PaperEvaluation[]): string {
  const pages = sum(papers.map((paper) => paper.pages));
  const ms = sum(papers.map((paper) => paper.extractionMs));
  return [
    '## PDF text extraction',
    '',
    '`PdfTextExtractor.extract` on each file, one paper at a time, after one warm-up extraction.',
    '',
    '| paper | pages | characters | ms | ms per page |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...papers.map((paper) => `| ${paper.stem} | ${paper.pages} | ${fmt(paper.characters)} | ${fmt(paper.extractionMs)} | ${fmt(paper.extractionMs / paper.pages, 1)} |`),
    `| **all** | ${pages} | ${fmt(sum(papers.map((paper) => paper.characters)))} | ${fmt(ms)} | **${fmt(ms / pages, 1)}** |`,
    '',
  ].join('\n');
}

function sectionDetectionSection(papers: readonly PaperEvaluation[]): string {
  const scored = papers.filter((paper): paper is PaperEvaluation & { sections: HeadingScore } => paper.sections !== undefined);
  const unscored = papers.filter((paper) => paper.sections === undefined).map((paper) => paper.stem);
  const overall = {
    expected: sum(scored.map((paper) => paper.sections.expected)),
    found: sum(scored.map((paper) => paper.sections.found)),
    matched: sum(scored.map((paper) => paper.sections.matched)),
  };
  const row = (label: string, score: Pick<HeadingScore, 'expected' | 'found' | 'matched'>): string =>
    `| ${label} | ${score.expected} | ${score.found} | ${score.matched} | ${percent(precision(score))} | ${percent(recall(score))} |`;
  return [
    '## Section detection',
    '',
    '`detectSections` on the extracted text against the hand-written headings in `eval/expected-sections/`, matched by',
    'normalised text (lower case, single spaces, no trailing punctuation). Overall figures pool the headings of every paper.',
    '',
    ...(scored.length > 0
      ? [
          '| paper | expected | found | matched | precision | recall |',
          '| --- | ---: | ---: | ---: | ---: | ---: |',
          ...scored.map((paper) => row(paper.stem, paper.sections)),
          row('**overall**', overall),
          '',
        ]
      : []),
    ...(unscored.length > 0 ? [`No expected headings yet for: ${unscored.join(', ')}.`, ''] : []),
    ...scored.flatMap((paper) => headingDifferences(paper.stem, paper.sections)),
  ].join('\n');
}

function headingDifferences(stem: string, score: HeadingScore): string[] {
  if (score.missed.length === 0 && score.extra.length === 0) return [];
  const list = (headings: readonly string[]): string => (headings.length === 0 ? 'none' : headings.map((heading) => `“${heading}”`).join(', '));
  return [`- ${stem}: missed ${list(score.missed)}; not expected ${list(score.extra)}.`];
}

function summarySection(papers: readonly PaperEvaluation[]): string {
  const scored = papers.filter((paper): paper is PaperEvaluation & { summary: NonNullable<PaperEvaluation['summary']> } => paper.summary !== undefined);
  const unscored = papers.filter((paper) => paper.summary === undefined).map((paper) => paper.stem);
  const average = (pick: (paper: (typeof scored)[number]) => RougeScore): RougeScore => ({
    precision: mean(scored.map((paper) => pick(paper).precision)),
    recall: mean(scored.map((paper) => pick(paper).recall)),
    f1: mean(scored.map((paper) => pick(paper).f1)),
  });
  const cells = (scores: RougeScores): string => METRICS.map(([, key]) => rougeCell(scores[key])).join(' | ');
  const averages = (side: 'offline' | 'lead3'): RougeScores => ({
    rouge1: average((paper) => paper.summary[side].rouge1),
    rouge2: average((paper) => paper.summary[side].rouge2),
    rougeL: average((paper) => paper.summary[side].rougeL),
  });
  const offline = averages('offline');
  const lead3 = averages('lead3');
  const ratios = METRICS.map(([label, key]) => `${label} ${fmt(offline[key].f1 / lead3[key].f1, 2)}×`).join(', ');
  return [
    '## Offline summary against the paper’s abstract',
    '',
    'The reference is the paper’s own abstract as the offline analyser finds it. The analyser is given the text from the',
    'first section after the abstract on (title, authors and abstract removed) and its summary is scored against that',
    'abstract; lead-3, the baseline, is the first three sentences of the same text. ROUGE F1, recall in brackets.',
    '',
    `| paper | ${METRICS.map(([label]) => `offline ${label}`).join(' | ')} | ${METRICS.map(([label]) => `lead-3 ${label}`).join(' | ')} |`,
    `| --- | ${METRICS.map(() => '---:').join(' | ')} | ${METRICS.map(() => '---:').join(' | ')} |`,
    ...scored.map((paper) => `| ${paper.stem} | ${cells(paper.summary.offline)} | ${cells(paper.summary.lead3)} |`),
    ...(scored.length > 0 ? [`| **average** | ${cells(offline)} | ${cells(lead3)} |`, '', `Offline over lead-3, average F1: ${ratios}.`] : []),
    ...(unscored.length > 0 ? ['', `No abstract found, so not scored: ${unscored.join(', ')}.`] : []),
    '',
  ].join('\n');
}

function rougeCell(score: RougeScore): string {
  return `${fmt(score.f1, 3)} (${fmt(score.recall, 3)})`;
}

function percent(share: number): string {
  return Number.isFinite(share) ? `${fmt(100 * share, 1)}%` : '—';
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : sum(values) / values.length;
}
