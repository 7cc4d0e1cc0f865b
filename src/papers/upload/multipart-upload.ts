import { BadRequestException, HttpException, PayloadTooLargeException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** The fields a multipart submission may carry besides its one `file`, with their longest accepted values. */
export type UploadFieldLimits = Readonly<Record<'title' | 'abstract', number>>;

export interface MultipartUpload {
  file: Buffer;
  fields: Partial<Record<keyof UploadFieldLimits, string>>;
}

const FILE_FIELD = 'file';

/**
 * Reads a multipart/form-data submission: exactly one `file` and optional text fields, within the limits
 * the multipart parser was registered with. On any refusal the rest of the request body is read and
 * dropped, so the client receives the answer and its connection stays usable.
 */
export async function readMultipartUpload(request: FastifyRequest, fieldLimits: UploadFieldLimits, maxFileBytes: number): Promise<MultipartUpload> {
  try {
    return await collectParts(request, fieldLimits);
  } catch (error) {
    discardRestOfBody(request);
    throw refusalFor(error, maxFileBytes);
  }
}

/** Detaches the multipart parser, if any, and lets the remaining bytes flow into the void. */
export function discardRestOfBody(request: FastifyRequest): void {
  request.raw.unpipe();
  request.raw.resume();
}

async function collectParts(request: FastifyRequest, fieldLimits: UploadFieldLimits): Promise<MultipartUpload> {
  const fields: MultipartUpload['fields'] = {};
  let file: Buffer | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== FILE_FIELD) throw new BadRequestException(`unexpected file field "${part.fieldname}": send the document in the field "file"`);
      file = await part.toBuffer();
      continue;
    }
    const name = part.fieldname;
    if (name === FILE_FIELD) {
      throw new BadRequestException('"file" arrived as a text field: send the document as a file part (with curl, -F file=@paper.pdf)');
    }
    if (!isFieldName(name, fieldLimits)) {
      throw new BadRequestException(`unexpected field "${name}": a multipart submission carries "file" and optionally "title" and "abstract"`);
    }
    // A part sent as application/json arrives parsed; the fields are text.
    if (typeof part.value !== 'string') throw new BadRequestException(`${name} must be plain text: send it as an ordinary form field`);
    const value = part.value;
    if (part.valueTruncated || value.length > fieldLimits[name]) {
      throw new BadRequestException(`${name} must be at most ${fieldLimits[name].toLocaleString('en')} characters`);
    }
    if (value.trim() !== '') fields[name] = value;
  }
  if (!file) throw new BadRequestException('the multipart body has no "file" part: send the paper as a PDF, plain text or Markdown file in the field "file"');
  return { file, fields };
}

function isFieldName(name: string, limits: UploadFieldLimits): name is keyof UploadFieldLimits {
  return Object.hasOwn(limits, name);
}

/** The multipart parser's and busboy's errors, as answers that say what to change. */
function refusalFor(error: unknown, maxFileBytes: number): HttpException {
  if (error instanceof HttpException) return error;
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new PayloadTooLargeException(
        `the file is larger than ${maxFileBytes / (1024 * 1024)} MB (MAX_UPLOAD_MB): send a smaller file, or the paper's text as JSON`,
      );
    case 'FST_FILES_LIMIT':
      return new BadRequestException('send one file per request, in the field "file"');
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new PayloadTooLargeException('the form has too many parts: send "file" and optionally "title" and "abstract"');
    default:
      return new BadRequestException(`the multipart body is malformed: ${(error as Error).message}`);
  }
}
