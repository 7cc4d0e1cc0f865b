import { identifyDocument } from './document-kind';

describe('identifyDocument', () => {
  it('recognises a PDF by its signature, even after a little junk', () => {
    expect(identifyDocument(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj'))).toEqual({ kind: 'pdf' });
    expect(identifyDocument(Buffer.concat([Buffer.from('\r\n\r\n'), Buffer.from('%PDF-1.4')]))).toEqual({ kind: 'pdf' });
    expect(identifyDocument(Buffer.concat([Buffer.from([0x00, 0xff, 0x13, 0x88]), Buffer.from('%PDF-1.4\n%\xe2\xe3')]))).toEqual({ kind: 'pdf' });
  });

  it('reads as text a text document that mentions the PDF signature', () => {
    const note = '# Detecting malicious documents\n\nEvery PDF file begins with the magic bytes %PDF-1.7 and a version.\n';
    expect(identifyDocument(Buffer.from(note))).toEqual({ kind: 'text', text: note });
  });

  it('reads UTF-8 text and Markdown, with or without a byte-order mark', () => {
    expect(identifyDocument(Buffer.from('# Title\n\nSome *text* — with ünïcode.\f\n'))).toEqual({
      kind: 'text',
      text: '# Title\n\nSome *text* — with ünïcode.\f\n',
    });
    expect(identifyDocument(Buffer.from('\ufeffAbstract', 'utf8'))).toEqual({ kind: 'text', text: 'Abstract' });
  });

  it('reads UTF-16 text that starts with a byte-order mark', () => {
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Résumé', 'utf16le')]);
    expect(identifyDocument(utf16le)).toEqual({ kind: 'text', text: 'Résumé' });
  });

  it.each([
    [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'a PNG image'],
    [Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), 'a ZIP archive (a Word, OpenDocument or EPUB file?)'],
    [Buffer.from([0xc3, 0x28, 0x41]), 'binary data that is neither a PDF nor text'],
    [Buffer.from('text with a NUL\u0000 inside'), 'binary data that is neither a PDF nor text'],
  ])('names what a file is when it is not supported (%#)', (bytes, description) => {
    expect(identifyDocument(bytes)).toEqual({ kind: 'unsupported', description });
  });
});
