import { AnalysisFields, AnalysisResult } from '../../src/llm/analysis';

/** The smallest valid analysis, for tests about where results go rather than what they say. */
export const MINIMAL_FIELDS: AnalysisFields = { title: 'T', summary: 'S', key_findings: [], methodology: 'M', results: 'R', limitations: [], keywords: [] };

export const MINIMAL_RESULT: AnalysisResult = { ...MINIMAL_FIELDS, sections: [], provider: 'offline', model: 'extractive' };
