/**
 * npm run eval — over the papers in ../shared/papers: PDF extraction time per page, section detection against the
 * hand-written headings, and the offline summary of each body against the paper's own abstract beside a lead-3
 * baseline. Prints the report and writes it to docs/evaluation.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../bench/lib/paths';
import { commandLine, serviceRevision } from '../bench/lib/report';
import { PdfTextExtractor } from '../src/papers/pdf/pdf-text-extractor';
import { evaluationReport } from './evaluation-report';
import { evaluatePaper, PaperEvaluation } from './paper-evaluation';
import { PAPERS_DIR, paperFiles } from './paper-files';

const REPORT = join(ROOT, 'docs', 'evaluation.md');
const EXTRACTION_TIMEOUT_MS = 60_000;

const log = (message: string) => process.stderr.write(`[eval] ${message}\n`);

async function main(): Promise<void> {
  const papers = paperFiles();
  if (papers.length === 0) throw new Error(`no PDF in ${PAPERS_DIR}`);
  const extractor = new PdfTextExtractor({ timeoutMs: EXTRACTION_TIMEOUT_MS, poolSize: 1 });
  try {
    // Starting the extraction process and loading pdf.js is paid once per service, not per paper.
    await extractor.extract(new Uint8Array(readFileSync(papers[0].path)));
    const evaluations: PaperEvaluation[] = [];
    for (const paper of papers) {
      log(`${paper.stem}`);
      evaluations.push(await evaluatePaper(paper, extractor));
    }
    const report = evaluationReport(evaluations, {
      command: commandLine('eval'),
      revision: serviceRevision(),
      papersDir: relative(ROOT, PAPERS_DIR),
    });
    process.stdout.write(`${report}\n`);
    writeFileSync(REPORT, report);
    log(`wrote ${relative(ROOT, REPORT)}`);
  } finally {
    await extractor.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
