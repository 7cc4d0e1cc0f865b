import { ApiProperty } from '@nestjs/swagger';

/** The one shape of every error answer. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({ example: 'text or abstract must be a non-empty string' })
  message!: string;
}
