import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { normaliseHeading, precision, recall, scoreHeadings } from '../../eval/heading-match';
import { expectedSections, papersWithExpectedSections } from '../../eval/paper-files';
import { sectionKind } from '../../src/papers/section-detector';
import { compressionBombPdf, garbagePdf, passwordProtectedPdf, scannedPdf, slowPdf } from '../fixtures/pdf/hostile-pdfs';
import { shortNotePdf, textPdf } from '../fixtures/pdf/pdf-builder';
import { eventually } from '../support/eventually';
import { expectError } from '../support/expect-error';
import { pollUntilFinished, postJson, request } from '../support/http-client';
import { describeWithSharedPapers } from '../support/shared-papers';
import { sampleAbstract, samplePaperText } from '../support/sample-papers';
import { emptyDatabase, RunningApp, startApp } from '../support/test-app';
import { postUpload } from '../support/uploads';

const DATABASE = 9;
const PAPERS_DATABASE = 14;
const PDF_TIMEOUT_MS = 1_500;
const asPdf = (bytes: Buffer) => ({ bytes, name: 'paper.pdf', type: 'application/pdf' });

/** A multipart upload whose body stops half-way, as a slow client's would: held open until abandoned. */
function startStalledUpload(baseUrl: string): { sent: Promise<void>; abandon(): void } {
  const boundary = 'stalled-upload';
  const upload = httpRequest(`${baseUrl}/analyze`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': '100000' },
  });
  upload.on('error', () => undefined);
  const sent = new Promise<void>((resolve) =>
    upload.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.txt"\r\n\r\nThe first words of a paper`, () => resolve()),
  );
  return { sent, abandon: () => upload.destroy() };
}

describe('Uploading papers as files (offline analyser)', () => {
  let service: RunningApp;

  beforeAll(async () => {
    await emptyDatabase(DATABASE);
    service = await startApp(DATABASE, { MAX_UPLOAD_MB: '2', MAX_TEXT_CHARS: '300000', BATCH_TIMEOUT_MS: '20', PDF_TIMEOUT_MS: String(PDF_TIMEOUT_MS) });
  });
  afterAll(() => service.close());

  it('analyses an uploaded Markdown file under the title sent with it', async () => {
    const markdown = Buffer.from(samplePaperText(3).replace('1 Introduction', '## 1 Introduction'));
    const accepted = await postUpload(service.baseUrl, { bytes: markdown, name: 'paper.md', type: 'text/markdown' }, { title: 'Learning from few labels' });
    expect(accepted.status).toBe(202);
    const finished = await pollUntilFinished(service.baseUrl, accepted.body.request_id);
    expect(finished.body.status).toBe('done');
    expect(finished.body.result.title).toBe('Learning from few labels');
    expect(finished.body.result.sections.map((section: { name: string }) => section.name)).toEqual(expect.arrayContaining(['Abstract', '1 Introduction']));
  });

  it('decides the type from the bytes, not the name or declared type', async () => {
    const text = Buffer.from(samplePaperText(4));
    const accepted = await postUpload(service.baseUrl, { bytes: text, name: 'paper.pdf', type: 'application/pdf' });
    expect(accepted.status).toBe(202);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expectError(await postUpload(service.baseUrl, { bytes: png, name: 'paper.txt', type: 'text/plain' }), 415, /the file is a PNG image: send a PDF, a plain text or a Markdown file/);
  });

  it('refuses a file over MAX_UPLOAD_MB with 413, reads the rest of the body, and keeps serving', async () => {
    const tooLarge = Buffer.alloc(5 * 1024 * 1024, 'a');
    expectError(await postUpload(service.baseUrl, { bytes: tooLarge, name: 'big.txt' }), 413, /larger than 2 MB \(MAX_UPLOAD_MB\)/);
    expect((await request(service.baseUrl, '/health/live')).status).toBe(200);
  });

  it('refuses a document whose text is longer than MAX_TEXT_CHARS with 413', async () => {
    const long = Buffer.from('word '.repeat(70_000));
    expectError(await postUpload(service.baseUrl, { bytes: long, name: 'long.txt' }), 413, /limit is 300,000 \(MAX_TEXT_CHARS\)/);
  });

  it('refuses an empty document with 422', async () => {
    expectError(await postUpload(service.baseUrl, { bytes: Buffer.from(' \n\n\t '), name: 'blank.txt' }), 422, /holds no text/);
  });

  it.each([
    ['a corrupt PDF', garbagePdf(), /could not be read|corrupt|damaged/i],
    ['a password-protected PDF', passwordProtectedPdf(), /password/i],
    ['a scanned PDF with no text layer', scannedPdf(), /no text layer/i],
  ])('refuses %s with 422 and a message saying what to send instead', async (_kind, bytes, message) => {
    expectError(await postUpload(service.baseUrl, asPdf(bytes)), 422, message);
  });

  it('fails a compression bomb with 422 alone, and keeps extracting the next PDF', async () => {
    expectError(await postUpload(service.baseUrl, asPdf(compressionBombPdf(1))), 422, /memory|too large|took longer/i);
    const next = await postUpload(service.baseUrl, asPdf(shortNotePdf()));
    expect(next.status).toBe(202);
  });

  it('stops a PDF that takes longer than PDF_TIMEOUT_MS with 422, while other requests are served meanwhile', async () => {
    const startedAt = performance.now();
    const hostile = postUpload(service.baseUrl, asPdf(slowPdf()));
    const servedMeanwhile: number[] = [];
    for (let index = 0; index < 5; index++) {
      const sentAt = performance.now();
      const answer = await postJson(service.baseUrl, '/analyze', { abstract: sampleAbstract(8_000 + index) });
      expect(answer.status).toBe(202);
      servedMeanwhile.push(performance.now() - sentAt);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expectError(await hostile, 422, /took longer than the 1.5 s allowed/);
    const elapsed = performance.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(PDF_TIMEOUT_MS);
    expect(elapsed).toBeLessThan(PDF_TIMEOUT_MS + 5_000);
    // Extraction in this process would have held them until the PDF's time was up.
    expect(Math.max(...servedMeanwhile)).toBeLessThan(PDF_TIMEOUT_MS);
  });

  it('answers 503 with Retry-After while 16 uploads are being read, and reads uploads again once they end', async () => {
    const stalled = Array.from({ length: 16 }, () => startStalledUpload(service.baseUrl));
    await Promise.all(stalled.map((upload) => upload.sent));
    // Once the server has seen all 16 start (an upload sent before that is simply read).
    const upload = (n: number) => () => postUpload(service.baseUrl, { bytes: Buffer.from(samplePaperText(n)), name: 'paper.txt' });
    const refused = await eventually(upload(6), (answer) => answer.status === 503, 10_000, 100);
    expectError(refused, 503, /16 uploads are being read already/);
    expect(refused.headers.get('retry-after')).toBe('2');

    stalled.forEach((stalledUpload) => stalledUpload.abandon());
    expect((await eventually(upload(7), (answer) => answer.status === 202, 10_000, 100)).status).toBe(202);
  });

  it('names what is wrong with the form itself with 400', async () => {
    expectError(await postUpload(service.baseUrl, undefined, { title: 'No file' }), 400, /no "file" part/);
    const text = { bytes: Buffer.from(samplePaperText(5)), name: 'paper.txt' };
    expectError(await postUpload(service.baseUrl, text, { author: 'me' }), 400, /unexpected field "author"/);
    expectError(await postUpload(service.baseUrl, undefined, { file: 'the paper pasted as text' }), 400, /"file" arrived as a text field: send the document as a file part/);
    expectError(await postUpload(service.baseUrl, text, { title: 't'.repeat(1_001) }), 400, /title must be at most 1,000 characters/);

    const twoFiles = new FormData();
    twoFiles.append('file', new Blob(['one']), 'one.txt');
    twoFiles.append('file', new Blob(['two']), 'two.txt');
    expectError(await request(service.baseUrl, '/analyze', { method: 'POST', body: twoFiles }), 400, /one file per request/);

    const broken = await request(service.baseUrl, '/analyze', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nunterminated',
    });
    expectError(broken, 400, /multipart body is malformed/);

    const jsonField = await request(service.baseUrl, '/analyze', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      body:
        '--xyz\r\nContent-Disposition: form-data; name="title"\r\nContent-Type: application/json\r\n\r\n{"text":"A title"}\r\n' +
        `--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n${samplePaperText(6)}\r\n--xyz--\r\n`,
    });
    expectError(jsonField, 400, /title must be plain text/);
  });

  it('leaves out a PDF title too long to be one, and analyses the paper under a title of its own', async () => {
    const titleLines = Array.from({ length: 24 }, (_, n) => ({ x: 72, y: 770 - 15 * n, size: 14, text: `Heading line ${n} of a first page set in large type throughout` }));
    const bodyLines = Array.from({ length: 20 }, (_, n) => ({ x: 72, y: 380 - 12 * n, size: 10, text: `Body line ${n} of the running text, which says what the study found.` }));
    const secondPage = Array.from({ length: 55 }, (_, n) => ({ x: 72, y: 740 - 12 * n, size: 10, text: `Line ${n} of the second page goes on with the running text of the study.` }));
    const loud = textPdf([[...titleLines, ...bodyLines], secondPage]);
    const accepted = await postUpload(service.baseUrl, { bytes: loud, name: 'loud.pdf' });
    expect(accepted.status).toBe(202);
    const finished = await pollUntilFinished(service.baseUrl, accepted.body.request_id);
    expect(finished.body.status).toBe('done');
    // Neither the heading nor a cut of it: the analyser found a title in the running text.
    expect(finished.body.result.title).not.toMatch(/Heading line/);
  });

  it('documents the upload in the OpenAPI description', async () => {
    const { body: document } = await request(service.baseUrl, '/docs-json');
    const operation = document.paths['/analyze'].post;
    expect(Object.keys(operation.requestBody.content).sort()).toEqual(['application/json', 'multipart/form-data']);
    expect(document.components.schemas.AnalyzePaperUpload.properties.file).toMatchObject({ type: 'string', format: 'binary' });
    expect(operation.responses['422']).toBeDefined();
  });
});

/** Each shared paper, uploaded as the PDF it is, comes back with its own title and sections. */
describeWithSharedPapers('Uploading the shared papers as PDFs', () => {
  let service: RunningApp;

  beforeAll(async () => {
    await emptyDatabase(PAPERS_DATABASE);
    service = await startApp(PAPERS_DATABASE, { BATCH_TIMEOUT_MS: '20' });
  });
  afterAll(() => service.close());

  for (const { stem, path } of papersWithExpectedSections()) {
    it(`reads ${stem} to done with its title and sections`, async () => {
      const expected = expectedSections(stem)!;
      const accepted = await postUpload(service.baseUrl, { bytes: readFileSync(path), name: `${stem}.pdf`, type: 'application/pdf' });
      expect(accepted.status).toBe(202);
      const finished = await pollUntilFinished(service.baseUrl, accepted.body.request_id, 30_000);
      expect(finished.body.status).toBe('done');
      const { title, sections } = finished.body.result;
      expect(normaliseHeading(title)).toBe(normaliseHeading(expected.title));
      const score = scoreHeadings(sections.map((section: { name: string }) => section.name), expected.headings);
      expect(precision(score)).toBeGreaterThanOrEqual(0.9);
      expect(recall(score)).toBeGreaterThanOrEqual(0.9);
      expect(sections.map((section: { name: string }) => sectionKind(section.name))).toEqual(expect.arrayContaining(['abstract', 'references']));
    });
  }
});
