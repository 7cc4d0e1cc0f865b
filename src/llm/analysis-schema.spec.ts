import { analysisItemProblems } from './analysis-schema';

const validItem = {
  id: 'p1',
  title: 'A paper',
  summary: 'It shows something.',
  key_findings: ['one'],
  methodology: 'experiments',
  results: 'better',
  limitations: [],
  keywords: ['thing'],
};

describe('analysisItemProblems', () => {
  it('accepts an item with every field of the right type', () => {
    expect(analysisItemProblems(validItem)).toBeUndefined();
  });

  it.each([
    [{ ...validItem, summary: 3 }, /summary must be string/],
    [{ ...validItem, key_findings: undefined }, /must have required property 'key_findings'/],
    [{ ...validItem, keywords: [1] }, /keywords\/0 must be string/],
    [{ ...validItem, extra: true }, /must NOT have additional properties/],
    [{ ...validItem, summary: '   ' }, /summary is empty/],
  ])('names what is wrong with %j', (item, problem) => {
    expect(analysisItemProblems(item)).toMatch(problem);
  });
});
