import childProcess from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import {
  blankPdf,
  compressionBombPdf,
  garbagePdf,
  manyPagesPdf,
  passwordProtectedPdf,
  scannedPdf,
  slowPdf,
} from '../../../test/fixtures/pdf/hostile-pdfs';
import { shortNotePdf } from '../../../test/fixtures/pdf/pdf-builder';
import { UnreadableDocumentError, UnreadableReason } from '../unreadable-document.error';
import { ExtractionQueueFullError, PdfTextExtractor } from './pdf-text-extractor';

jest.setTimeout(60_000);

/** Five readable pages. */
const GOOD_PAPER = manyPagesPdf(5);
const SHORT_NOTE = shortNotePdf();

async function refusal(extraction: Promise<unknown>): Promise<UnreadableDocumentError> {
  const error = await extraction.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UnreadableDocumentError);
  return error as UnreadableDocumentError;
}

async function expectRefused(extraction: Promise<unknown>, reason: UnreadableReason, messagePart: string): Promise<void> {
  const error = await refusal(extraction);
  expect(error.reason).toBe(reason);
  expect(error.message).toContain(messagePart);
}

async function expectReadsGoodPaper(extractor: PdfTextExtractor): Promise<void> {
  const paper = await extractor.extract(GOOD_PAPER);
  expect(paper.pages).toBe(5);
}

async function expectReadsShortNote(extractor: PdfTextExtractor): Promise<void> {
  const note = await extractor.extract(SHORT_NOTE);
  expect(note.title).toBe('A Short Note');
}

describe('PdfTextExtractor refusing documents it cannot read', () => {
  const extractor = new PdfTextExtractor({ timeoutMs: 20_000, memoryLimitMb: 256, poolSize: 2, maxPages: 500 });

  afterAll(() => extractor.close());

  it('refuses files that are not PDFs at all without starting a process', async () => {
    await expectRefused(extractor.extract(Buffer.from('Just some text, no PDF here.')), 'not-pdf', 'not a PDF');
    await expectRefused(extractor.extract(new Uint8Array(0)), 'empty', 'contains no text');
  });

  it('refuses a damaged PDF', async () => {
    await expectRefused(extractor.extract(garbagePdf()), 'corrupt', 'damaged');
  });

  it('refuses a password-protected PDF', async () => {
    await expectRefused(extractor.extract(passwordProtectedPdf()), 'password', 'password-protected');
  });

  it('refuses a scanned PDF, which has images and no text layer', async () => {
    await expectRefused(
      extractor.extract(scannedPdf()),
      'no-text',
      'the PDF has no text layer; it looks scanned: send a PDF with selectable text, or send the text itself',
    );
  });

  it('refuses a PDF whose pages are blank', async () => {
    await expectRefused(extractor.extract(blankPdf()), 'empty', 'contains no text');
  });

  it('refuses a PDF with more pages than it reads', async () => {
    await expectRefused(extractor.extract(manyPagesPdf(600)), 'too-many-pages', 'has 600 pages');
  });

  it('stops a compression bomb at the memory cap, and reads the next paper with a fresh process', async () => {
    const started = Date.now();
    await expectRefused(extractor.extract(compressionBombPdf(4)), 'memory', 'more than the 256 MB of memory allowed');
    expect(Date.now() - started).toBeLessThan(15_000);
    await expectReadsGoodPaper(extractor);
  });

  it('reads two papers side by side', async () => {
    const [first, second] = await Promise.all([extractor.extract(GOOD_PAPER), extractor.extract(GOOD_PAPER)]);
    expect(first.text).toBe(second.text);
  });

  it('never quotes the document in its messages', async () => {
    const error = await refusal(extractor.extract(passwordProtectedPdf()));
    expect(error.message).not.toContain('Secret findings');
  });
});

describe('PdfTextExtractor under a time limit', () => {
  const extractor = new PdfTextExtractor({ timeoutMs: 300 });

  afterAll(() => extractor.close());

  it('gives up on a document that takes longer than the limit, and reads the next one with a fresh process', async () => {
    await expectReadsShortNote(extractor);
    const started = Date.now();
    await expectRefused(extractor.extract(slowPdf()), 'timeout', 'took longer than the 0.3 s allowed');
    expect(Date.now() - started).toBeLessThan(2_000);
    await expectReadsShortNote(extractor);
  });
});

describe('PdfTextExtractor with every process busy', () => {
  const extractor = new PdfTextExtractor({ timeoutMs: 20_000, poolSize: 1, maxQueue: 1 });

  afterAll(() => extractor.close());

  it('queues documents up to its limit and refuses more at once', async () => {
    await expectReadsShortNote(extractor);
    const running = extractor.extract(GOOD_PAPER);
    const waiting = extractor.extract(GOOD_PAPER);
    await expect(extractor.extract(GOOD_PAPER)).rejects.toBeInstanceOf(ExtractionQueueFullError);
    await expect(Promise.all([running, waiting])).resolves.toHaveLength(2);
  });
});

describe('PdfTextExtractor when its process cannot be spawned', () => {
  const extractor = new PdfTextExtractor({ timeoutMs: 20_000, poolSize: 1 });

  afterAll(() => extractor.close());

  it('says PDFs cannot be read at the moment, and reads the next one once a process can start', async () => {
    // The real fork, pointed at no executable: it fails to spawn, with an error and a close but no exit.
    const fork = childProcess.fork;
    const failingFork = jest
      .spyOn(childProcess, 'fork')
      .mockImplementationOnce((modulePath, args, options) => fork(modulePath, args as string[], { ...options, execPath: '/nonexistent/node' }));
    await expect(extractor.extract(SHORT_NOTE)).rejects.toThrow('PDFs cannot be read at the moment');
    failingFork.mockRestore();
    await expectReadsShortNote(extractor);
  });

  it('refuses the document, and reads the next, when fork throws rather than reports its failure', async () => {
    const starting = new PdfTextExtractor({ timeoutMs: 20_000, poolSize: 1 });
    const throwingFork = jest.spyOn(childProcess, 'fork').mockImplementationOnce(() => {
      throw Object.assign(new Error('spawn ENOMEM'), { code: 'ENOMEM' });
    });
    try {
      await expect(starting.extract(SHORT_NOTE)).rejects.toThrow('PDFs cannot be read at the moment: spawn ENOMEM');
    } finally {
      throwingFork.mockRestore();
    }
    await expectReadsShortNote(starting);
    await starting.close();
  });

  it('tries once for each document while fork keeps failing for want of file descriptors', async () => {
    const starting = new PdfTextExtractor({ timeoutMs: 20_000, poolSize: 1 });
    const failingFork = jest.spyOn(childProcess, 'fork').mockImplementation(() => unspawnableChild());
    try {
      await expect(starting.extract(SHORT_NOTE)).rejects.toThrow('PDFs cannot be read at the moment');
      await expect(starting.extract(SHORT_NOTE)).rejects.toThrow('PDFs cannot be read at the moment');
      expect(failingFork).toHaveBeenCalledTimes(2);
    } finally {
      failingFork.mockRestore();
    }
    await expectReadsShortNote(starting);
    await starting.close();
  });
});

/**
 * A child as fork returns it when it cannot spawn for want of file descriptors (EMFILE): Node reports the
 * error and the close in one tick, before any promise callback runs, and never an exit.
 */
function unspawnableChild(): childProcess.ChildProcess {
  const child = Object.assign(new EventEmitter(), { exitCode: null as number | null, signalCode: null, stderr: null, send: () => false, kill: () => false });
  process.nextTick(() => {
    child.exitCode = -24;
    child.emit('error', Object.assign(new Error('spawn EMFILE'), { code: 'EMFILE' }));
    child.emit('close', -24, null);
  });
  return child as unknown as childProcess.ChildProcess;
}

describe('PdfTextExtractor processes', () => {
  const extractor = new PdfTextExtractor({ timeoutMs: 20_000, poolSize: 1 });

  afterAll(() => extractor.close());

  it('start with no environment but their allocator setting: no key of this process reaches a PDF parser', async () => {
    await expectReadsShortNote(extractor);
    const children = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(process.pid);
        } catch {
          return false;
        }
      })
      .filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('extraction-child'));
    expect(children).toHaveLength(1);
    const environment = readFileSync(`/proc/${children[0]}/environ`, 'utf8').split('\0').filter(Boolean);
    // Node itself adds the variables that set up its IPC channel.
    expect(environment.filter((variable) => !variable.startsWith('NODE_CHANNEL_'))).toEqual(['MALLOC_ARENA_MAX=2']);
  });
});
