import { countPaperTokens } from '../../src/llm/groq/paper-prompt';
import { FakeGroqServer } from '../fakes/fake-groq-server';
import { pollUntilFinished, postJson } from '../support/http-client';
import { sampleAbstract } from '../support/sample-papers';
import { RunningApp, startAppWithFakeGroq } from '../support/test-app';

const DATABASE = 7;

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
