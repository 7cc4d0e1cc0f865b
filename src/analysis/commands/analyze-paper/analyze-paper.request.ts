import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { hasText, PaperContent } from '../../paper-content';

export const MAX_TITLE_CHARS = 1_000;
export const MAX_ABSTRACT_CHARS = 50_000;

/** The JSON body of POST /analyze, as Fastify has already checked it against ANALYZE_PAPER_BODY_SCHEMA. */
export interface AnalyzePaperBody {
  title?: string;
  abstract?: string;
  text?: string;
}

/**
 * The body's shape, checked by Fastify's compiled validator before the route runs: on the busiest
 * route it costs a fraction of class-validator's reflection and copying. The one rule a schema states
 * badly (text or abstract must say something) is checked by `requireTextOrAbstract`.
 */
export const ANALYZE_PAPER_BODY_SCHEMA = {
  type: 'object',
  properties: {
    title: { type: 'string', maxLength: MAX_TITLE_CHARS },
    abstract: { type: 'string', maxLength: MAX_ABSTRACT_CHARS },
    text: { type: 'string' },
  },
} as const;

const nonBlank = (value: string | undefined) => value !== undefined && value.trim().length > 0;

/** The body itself, once it is known to say something. */
export function requireTextOrAbstract(body: AnalyzePaperBody): AnalyzePaperBody {
  if (!nonBlank(body.text) && !nonBlank(body.abstract)) {
    throw new BadRequestException('text or abstract must be a non-empty string: send the paper\'s text, its abstract, or both');
  }
  return body;
}

/** 413 when the text is longer than `maxTextChars`; `counted` says how its characters were counted, if not as sent. */
export function requireTextWithin(text: string | undefined, maxTextChars: number, counted = ''): void {
  if (text && text.length > maxTextChars) {
    throw new PayloadTooLargeException(
      `the paper's text has ${text.length.toLocaleString('en')} characters${counted}; the limit is ${maxTextChars.toLocaleString('en')} (MAX_TEXT_CHARS): send a shorter text`,
    );
  }
}

const ONCE_NORMALISED = ' once normalised';

/** Characters as the body's schema counts them (code points): an emoji is one, not two UTF-16 units. */
function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

/**
 * The normalised paper, once it is known to say something and to fit the limits. Normalising drops
 * control characters and can lengthen text (one compatibility character folds into as many as 18), so
 * the checks on the paper as sent do not cover what is stored and analysed.
 */
export function requireNormalisedWithin(paper: PaperContent, maxTextChars: number): PaperContent {
  if (!hasText(paper.text) && !hasText(paper.abstract ?? '')) {
    throw new BadRequestException('text and abstract hold nothing readable, only spaces, control or invisible formatting characters: send the paper\'s text, its abstract, or both');
  }
  requireTextWithin(paper.text, maxTextChars, ONCE_NORMALISED);
  for (const [name, value, limit] of [['title', paper.title, MAX_TITLE_CHARS], ['abstract', paper.abstract, MAX_ABSTRACT_CHARS]] as const) {
    if (value && value.length > limit && characterCount(value) > limit) throw new BadRequestException(`${name} must be at most ${limit.toLocaleString('en')} characters${ONCE_NORMALISED}`);
  }
  return paper;
}

/** The body as the API documentation describes it. */
export class AnalyzePaperRequest implements AnalyzePaperBody {
  @ApiPropertyOptional({ example: 'Deep Residual Learning for Image Recognition', maxLength: MAX_TITLE_CHARS })
  title?: string;

  @ApiPropertyOptional({
    example: 'Deeper neural networks are more difficult to train. We present a residual learning framework...',
    maxLength: MAX_ABSTRACT_CHARS,
  })
  abstract?: string;

  @ApiPropertyOptional({
    description: 'The paper\'s full text, at most MAX_TEXT_CHARS characters (400,000 by default; longer answers 413). Required unless abstract is given.',
    example: '1. Introduction\nDeep convolutional neural networks have led to a series of breakthroughs for image classification...',
  })
  text?: string;
}

/** The multipart/form-data upload as the API documentation describes it. */
export class AnalyzePaperUpload {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'The paper: a PDF with a text layer, a plain text or a Markdown file, at most MAX_UPLOAD_MB (20 MB by default). Its type is read from its bytes.',
  })
  file!: string;

  @ApiPropertyOptional({ description: 'The paper\'s title; by default the title found in the document.', maxLength: MAX_TITLE_CHARS })
  title?: string;

  @ApiPropertyOptional({ description: 'The paper\'s abstract, if the document lacks one.', maxLength: MAX_ABSTRACT_CHARS })
  abstract?: string;
}
