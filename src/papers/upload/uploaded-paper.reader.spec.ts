import { HttpException } from '@nestjs/common';
import Fastify, { FastifyInstance } from 'fastify';
import { loadAppConfig } from '../../config/app-config';
import { registerBodyParsers } from '../../http/body-parsers';
import { ExtractionQueueFullError, ExtractionUnavailableError, PdfTextExtractor } from '../pdf/pdf-text-extractor';
import { UploadedPaperReader } from './uploaded-paper.reader';

const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

/** The reader behind a bare Fastify route with the service's body parsers, its extractor failing as told. */
describe('UploadedPaperReader', () => {
  let server: FastifyInstance;
  const extract = jest.fn<Promise<{ title?: string; text: string }>, [Buffer]>();

  beforeAll(async () => {
    const reader = new UploadedPaperReader({ extract } as unknown as PdfTextExtractor, loadAppConfig({}));
    server = Fastify();
    registerBodyParsers(server, 1024 * 1024);
    server.post('/upload', async (request, reply) => {
      try {
        return await reader.read(request);
      } catch (error) {
        const refusal = error as HttpException;
        return reply.status(refusal.getStatus()).send({ message: refusal.message });
      }
    });
    await server.ready();
  });

  afterAll(() => server.close());

  const upload = () => {
    const boundary = 'spec-boundary';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="paper.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      PDF_BYTES,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return server.inject({ method: 'POST', url: '/upload', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body });
  };

  it('answers 503 without the reason PDFs cannot be read, which is for the operator', async () => {
    extract.mockRejectedValueOnce(new ExtractionUnavailableError('PDFs cannot be read at the moment: the PDF extraction process stopped while starting (exit code 1)'));
    const answer = await upload();
    expect(answer.statusCode).toBe(503);
    expect(answer.json().message).toBe('PDFs cannot be read at the moment: try again in a few seconds, or send the paper\'s text as JSON');
  });

  it.each([
    ['control characters', '\u0000\u0001 \u0085\n'],
    ['invisible formatting characters', '\u200b\u200b\u200f\n\u00ad'],
  ])('refuses with 422 a PDF whose text is nothing but %s', async (_kind, text) => {
    extract.mockResolvedValueOnce({ text });
    const answer = await upload();
    expect(answer.statusCode).toBe(422);
    expect(answer.json().message).toBe('the document holds no text: send a paper with text in it');
  });

  it('leaves out a title found in the PDF that normalising would lengthen past the limit', async () => {
    // Each U+FDFA folds into 18 characters: 100 of them become 1,800.
    extract.mockResolvedValueOnce({ title: '\uFDFA'.repeat(100), text: 'The text of the paper.' });
    const answer = await upload();
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ text: 'The text of the paper.' });
  });

  it('passes on how many PDFs wait when the queue is full, which tells the client to come back', async () => {
    extract.mockRejectedValueOnce(new ExtractionQueueFullError(8));
    const answer = await upload();
    expect(answer.statusCode).toBe(503);
    expect(answer.json().message).toBe('8 PDFs are already waiting to be read: try again in a few seconds');
  });
});
