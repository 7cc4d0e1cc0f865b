/**
 * Wording that tells what a sentence does: state a finding, describe the method, report a result or admit a
 * limitation. Each scorer returns the summed weights of the cues found (0 when none).
 */

type Cue = readonly [pattern: RegExp, weight: number];

const FINDING_CUES: readonly Cue[] = [
  [/\bwe (show|find|found|demonstrate|observe|observed|confirm|prove|establish|report|conclude)\b/i, 2],
  [/\b(results?|experiments?|analys[ie]s|evaluations?) (show|shows|showed|demonstrate|indicate|suggest|confirm|reveal)/i, 2],
  [/\b(outperform|surpass|exceed|improv|achiev|reduc|increas|gain|beat)\w*/i, 1],
  [/\d+(\.\d+)?\s?%/, 1],
  [/\b(significant(ly)?|state[- ]of[- ]the[- ]art|substantial(ly)?|consistent(ly)?)\b/i, 0.5],
  [/\bour (results|experiments|analysis|findings|method|approach|model)\b/i, 0.5],
];

const METHOD_CUES: readonly Cue[] = [
  [/\bwe (propose|present|introduce|use|employ|train|apply|adopt|develop|design|build|formulate|derive|compute|optimi[sz]e|model|extend|combine)(s|d|ed)?\b/i, 2],
  [/\bour (approach|method|model|framework|algorithm|system|architecture|technique)\b/i, 2],
  [/\b(method|approach|algorithm|framework|architecture|procedure|technique|model|objective|loss)\b/i, 1],
  [/\b(is|are|was|were) (trained|computed|optimi[sz]ed|implemented|estimated|initiali[sz]ed|updated|defined)\b/i, 1],
];

const RESULT_CUES: readonly Cue[] = [
  [/\d+(\.\d+)?\s?%/, 2],
  [/\b(accuracy|error|precision|recall|f1|bleu|auc|perplexity|speed-?up|loss|score|top-\d)\b/i, 1],
  [/\b(outperform|surpass|achiev|improv|reduc|increas|decreas|drop|beat|converg)\w*|\b(better|worse|faster|lower|higher) than\b/i, 1],
  [/\b(table|fig\.?|figure) \d/i, 0.5],
  [/\b\d+(\.\d+)?\b/, 0.5],
];

/** How a paper states what it contributes, typically at the end of the introduction and in the conclusion. */
const CONTRIBUTION_CUES: readonly Cue[] = [
  [/\b(in|with) this (paper|work|report|article|study|note)\b|\bth(is|e present) (paper|work|report|article|study) (propos|present|introduc|describ|show|demonstrat|address|investigat|stud)\w*/i, 2],
  [/\bwe (have )?(propos|present|introduc|describ|develop|show|demonstrat|address|investigat|stud)\w*\b/i, 2],
  [/\b(our|the proposed|a novel|a new) (\w+ )?(method|approach|model|framework|algorithm|technique|system|architecture)\b/i, 1],
  [/\b(outperform|surpass|state[- ]of[- ]the[- ]art|significant(ly)?|substantial(ly)?)/i, 0.5],
];

/** An admission of a limitation on its own. */
const STRONG_LIMITATION_CUES: readonly RegExp[] = [
  /\blimitations?\b/i,
  /\bfuture (work|research)\b/i,
  /\b(fails?|failed) to\b|\bfailure cases?\b/i,
  /\b(drawbacks?|shortcomings?|caveats?|weakness(es)?)\b/i,
  /\b(leave|left) .{1,60}\b(for|to) future\b/i,
  /\bremains? (an )?open\b|\bopen (question|problem)s?\b/i,
  /\b(is|are) (restricted|limited) to\b/i,
  /\b(cannot|can ?not|does not|do not|did not) (scale|generali[sz]e|handle|capture|apply|address|account for)\b/i,
];

/** Wording that hints at a limitation only together with another hint. */
const WEAK_LIMITATION_CUES: readonly RegExp[] = [
  /\b(does|do|did) not\b|\bcannot\b|\bcan ?not\b|\bunable\b/i,
  /\bonly\b/i,
  /^however\b|\bhowever,/i,
];

/** "Section 4 concludes with future work": an outline of the paper, about its structure rather than its content. */
const OUTLINE = /\b(section|sec\.)\s*\d/i;

const APPROACH_MENTION = /\b(method|approach|algorithm|framework|model|technique|procedure|architecture|system)s?\b/i;

export function findingCueScore(text: string): number {
  return cueScore(text, FINDING_CUES);
}

export function contributionCueScore(text: string): number {
  return cueScore(text, CONTRIBUTION_CUES);
}

export function methodCueScore(text: string): number {
  return cueScore(text, METHOD_CUES);
}

export function resultCueScore(text: string): number {
  return cueScore(text, RESULT_CUES);
}

/** Two points per strong cue, one per weak cue: 2 or more reads as a limitation. */
export function limitationCueScore(text: string): number {
  const strong = STRONG_LIMITATION_CUES.filter((pattern) => pattern.test(text)).length;
  const weak = WEAK_LIMITATION_CUES.filter((pattern) => pattern.test(text)).length;
  return 2 * strong + weak;
}

export function hasStrongLimitationCue(text: string): boolean {
  return STRONG_LIMITATION_CUES.some((pattern) => pattern.test(text));
}

export function outlinesPaper(text: string): boolean {
  return OUTLINE.test(text);
}

export function mentionsApproach(text: string): boolean {
  return APPROACH_MENTION.test(text);
}

function cueScore(text: string, cues: readonly Cue[]): number {
  return cues.reduce((score, [pattern, weight]) => (pattern.test(text) ? score + weight : score), 0);
}
