import { BadRequestException } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

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
