import { ApiProperty } from '@nestjs/swagger';
import { AnalysisResult, PaperSection } from '../../llm/analysis';

export class PaperSectionDto implements PaperSection {
  @ApiProperty({ example: '1 Introduction', description: 'The heading as the paper writes it' })
  name!: string;

  @ApiProperty({ example: 1480, description: 'Offset of the section\'s first character in the normalised text' })
  start!: number;

  @ApiProperty({ example: 5210, description: 'Offset just past the section\'s last character' })
  end!: number;
}

export class AnalysisResultDto implements AnalysisResult {
  @ApiProperty({ example: 'Deep Residual Learning for Image Recognition' })
  title!: string;

  @ApiProperty({ example: 'The paper reformulates layers as learning residual functions with reference to the layer inputs...' })
  summary!: string;

  @ApiProperty({ type: [String], example: ['Residual networks are easier to optimise than plain networks of the same depth.'] })
  key_findings!: string[];

  @ApiProperty({ example: 'Shortcut connections that add the input of a block to its output, trained on ImageNet with SGD.' })
  methodology!: string;

  @ApiProperty({ example: 'An ensemble of residual nets reaches 3.57% top-5 error on the ImageNet test set.' })
  results!: string;

  @ApiProperty({ type: [String], example: ['Very deep (1202-layer) networks overfit on CIFAR-10.'] })
  limitations!: string[];

  @ApiProperty({ type: [String], example: ['residual learning', 'deep networks', 'image recognition'] })
  keywords!: string[];

  @ApiProperty({ type: [PaperSectionDto], description: 'The parts of the paper found from its headings, in order' })
  sections!: PaperSectionDto[];

  @ApiProperty({ enum: ['groq', 'offline'], example: 'offline' })
  provider!: 'groq' | 'offline';

  @ApiProperty({ example: 'extractive-textrank-1.1', description: 'The Groq model, or the offline analyser\'s name and version' })
  model!: string;
}
