import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, registerDecorator, ValidateIf, ValidationArguments } from 'class-validator';

export const MAX_TITLE_CHARS = 1_000;
export const MAX_ABSTRACT_CHARS = 50_000;

const nonEmpty = (value: unknown) => typeof value === 'string' && value.trim().length > 0;

/** Text, when sent, is a string; and it or the abstract holds some non-blank text. */
function RequiresTextOrAbstract(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'requiresTextOrAbstract',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: ({ value }: ValidationArguments) =>
          value != null && typeof value !== 'string'
            ? '$property must be a string'
            : 'text or abstract must be a non-empty string: send the paper\'s text, its abstract, or both',
      },
      validator: {
        validate: (value: unknown, { object }: ValidationArguments) =>
          (value == null || typeof value === 'string') && (nonEmpty(value) || nonEmpty((object as AnalyzePaperRequest).abstract)),
      },
    });
}

export class AnalyzePaperRequest {
  @ApiPropertyOptional({ example: 'Deep Residual Learning for Image Recognition', maxLength: MAX_TITLE_CHARS })
  @IsOptional()
  @MaxLength(MAX_TITLE_CHARS)
  @IsString()
  title?: string;

  @ApiPropertyOptional({
    example: 'Deeper neural networks are more difficult to train. We present a residual learning framework...',
    maxLength: MAX_ABSTRACT_CHARS,
  })
  @IsOptional()
  @MaxLength(MAX_ABSTRACT_CHARS)
  @IsString()
  abstract?: string;

  @ApiPropertyOptional({
    description: 'The paper\'s full text, at most MAX_TEXT_CHARS characters (400,000 by default; longer answers 413). Required unless abstract is given.',
    example: '1. Introduction\nDeep convolutional neural networks have led to a series of breakthroughs for image classification...',
  })
  @ValidateIf((request: AnalyzePaperRequest) => request.text != null || !nonEmpty(request.abstract))
  @RequiresTextOrAbstract()
  text?: string;
}
