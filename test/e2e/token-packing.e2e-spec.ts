import { countPaperTokens } from '../../src/llm/groq/paper-prompt';
import { FakeGroqServer } from '../fakes/fake-groq-server';
import { pollUntilFinished, postJson } from '../support/http-client';
import { sampleAbstract, samplePaperText } from '../support/sample-papers';
import { RunningApp, startAppWithFakeGroq } from '../support/test-app';

const DATABASE = 7;
const LONG_PAPER_DATABASE = 13;

/** A paper whose every section is long: each method paragraph is another study's abstract. */
function longPaper(): string {
  const methodParagraphs = Array.from({ length: 24 }, (_, n) => sampleAbstract(900 + n)).join('\n\n');
  return samplePaperText(9).replace('2 Method\n', `2 Method\n${methodParagraphs}\n\n`);
}

/** A token budget that fits two abstracts packs six submitted together into three calls. */
describe('packing LLM calls by tokens', () => {
  const groq = new FakeGroqServer();
  let service: RunningApp;
  const abstracts = Array.from({ length: 6 }, (_, n) => sampleAbstract(700 + n));
  const tokensOfTwo = abstracts.slice(0, 2).reduce((sum, abstract) => sum + countPaperTokens({ id: 'p1', abstract, text: '' }), 0);

  beforeAll(async () => {
    service = await startAppWithFakeGroq(DATABASE, groq, { BATCH_MAX_TOKENS: String(tokensOfTwo + 20) });
  });
  afterAll(() => service.close());

  it('keeps each call within BATCH_MAX_TOKENS, below BATCH_SIZE papers', async () => {
    const accepted = await Promise.all(abstracts.map((abstract) => postJson(service.baseUrl, '/analyze', { abstract })));
    const finished = await Promise.all(accepted.map((answer) => pollUntilFinished(service.baseUrl, answer.body.request_id)));
    expect(finished.map((answer) => answer.body.status)).toEqual(Array(6).fill('done'));
    const papersPerCall = groq.stats().call_log.map((call) => call.papers);
    expect(Math.max(...papersPerCall)).toBe(2);
    expect(papersPerCall.reduce((sum, papers) => sum + papers, 0)).toBe(6);
    expect(papersPerCall.length).toBeLessThanOrEqual(4);
  });

});

/** A budget a few times smaller than the paper: map over its sections, reduce the notes in one more call. */
describe('map-reducing a paper longer than BATCH_MAX_TOKENS', () => {
  const groq = new FakeGroqServer();
  const budget = 1_500;
  let service: RunningApp;

  beforeAll(async () => {
    service = await startAppWithFakeGroq(LONG_PAPER_DATABASE, groq, { BATCH_MAX_TOKENS: String(budget) });
  });
  afterAll(() => service.close());

  it('analyses it in several calls along its sections and answers with one analysis of the whole paper', async () => {
    const text = longPaper();
    expect(countPaperTokens({ id: 'p1', text })).toBeGreaterThan(2.5 * budget);

    const accepted = await postJson(service.baseUrl, '/analyze', { title: 'A long study', text });
    const finished = await pollUntilFinished(service.baseUrl, accepted.body.request_id);
    expect(finished.body.status).toBe('done');
    expect(finished.body.result.title).toEqual(expect.any(String));
    expect(finished.body.result.sections.map((section: { name: string }) => section.name)).toEqual([
      'Abstract',
      '1 Introduction',
      '2 Method',
      '3 Experiments',
      '4 Conclusion',
      'References',
    ]);
    const calls = groq.stats().call_log;
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.every((call) => call.status === 200)).toBe(true);
  });
});
