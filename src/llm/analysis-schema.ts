import Ajv from 'ajv';
import { AnalysisFields } from './analysis';

const text = { type: 'string' } as const;
const texts = { type: 'array', items: { type: 'string' } } as const;

/** One document's analysis as the LLM must write it; strict-mode compatible (every key required, no extras). */
export const ANALYSIS_ITEM_SCHEMA = {
  type: 'object',
  properties: {
    id: text,
    title: text,
    summary: text,
    key_findings: texts,
    methodology: text,
    results: text,
    limitations: texts,
    keywords: texts,
  },
  required: ['id', 'title', 'summary', 'key_findings', 'methodology', 'results', 'limitations', 'keywords'],
  additionalProperties: false,
} as const;

/** The whole answer of one call: an array, since a strict schema cannot have keys chosen at run time. */
export const ANALYSIS_BATCH_SCHEMA = {
  type: 'object',
  properties: { analyses: { type: 'array', items: ANALYSIS_ITEM_SCHEMA } },
  required: ['analyses'],
  additionalProperties: false,
} as const;

export interface AnalysisItem extends AnalysisFields {
  id: string;
}

const ajv = new Ajv({ allErrors: true });
const validateItem = ajv.compile<AnalysisItem>(ANALYSIS_ITEM_SCHEMA);

/** Checks one item against the schema and that its summary says something; returns the problems, if any. */
export function analysisItemProblems(item: unknown): string | undefined {
  if (!validateItem(item)) return ajv.errorsText(validateItem.errors, { dataVar: 'item' });
  if (item.summary.trim() === '') return 'item/summary is empty';
  return undefined;
}
