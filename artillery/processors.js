'use strict';

/**
 * Custom functions for the Artillery scenarios in this folder (`config.processor: ./processors.js`).
 *
 * Artillery calls them with its callback signatures:
 *   function step:  (context, events, done)
 *   beforeRequest:  (requestParams, context, events, done)
 *   afterResponse:  (requestParams, response, context, events, done)
 *   loop whileTrue: (context, done(boolean))  — checked AFTER each pass: the loop is a do-while
 *
 * Texts are built like the original locustfile built them: random words from a fixed vocabulary, in
 * sentences, about 800 characters long. The generator is seeded, so a run can be reproduced:
 *   LOAD_SEED   base seed (default: the time the worker started, so every run sends new, uncached texts;
 *               set it to send the same texts again — they will then be answered from the result cache)
 *   TEXT_CHARS  length of each text (default 800)
 *   CACHE_TEXTS how many distinct texts cache-hits.yml cycles through (default 5)
 *   MAX_POLLS   how many times submit-and-poll.yml polls one request before giving up (default 120)
 *
 * Custom metrics it emits (they appear in the report beside Artillery's own http.* metrics):
 *   analyze.answered_200_cached   POST /analyze answered 200 from the result cache
 *   analyze.answered_202_queued   POST /analyze answered 202, the paper was queued
 *   analyze.answered_other        POST /analyze answered anything else (an error), among them
 *   analyze.answered_429_throttled   the service's per-client throttle (THROTTLE_LIMIT) refused it
 *   analyze.answered_429_queue_full  the service's backpressure (MAX_QUEUE_SIZE waiting) refused it
 *   analyze.answered_503_unavailable the service could not reach Redis
 *   poll.requests                 GET /status/:id calls made by the polling loop
 *   poll.refused                  polls answered 429 or 503 (polled again after Retry-After)
 *   analysis.done / analysis.error / analysis.gave_up   how each polled request ended
 *   analysis.shape_ok / analysis.shape_bad               whether a done result had every field
 *   analysis.turnaround_ms        (summary) submit → done or error, as the client saw it
 */

const VOCABULARY = (
  'algorithm analysis approach baseline batch benchmark bias classifier cluster coefficient convergence corpus ' +
  'correlation dataset decoder distribution embedding encoder entropy error estimator evaluation experiment ' +
  'feature framework gradient graph hypothesis inference kernel latency layer learning likelihood loss matrix ' +
  'measurement method metric model network noise optimisation parameter performance population precision prior ' +
  'probability protocol recall regression representation sample sampling scale signal simulation sparse ' +
  'statistic stochastic structure supervision survey temperature tensor theory throughput token training ' +
  'transformer uncertainty validation variance vector weight robust novel significant empirical proposed ' +
  'efficient scalable accurate adaptive linear nonlinear convex randomised temporal spatial causal ' +
  'we show that this the results of a in for with on by our improves reduces outperforms demonstrates ' +
  'observe measure compare evaluate propose train estimate report find suggests indicates across between'
).split(' ');

const HEADINGS = ['Abstract', 'Introduction', 'Methods', 'Results', 'Discussion', 'Limitations'];

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const envInt = (name, fallback) => {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

// Each Artillery worker (LOCAL_WORKER_ID) gets its own stream, so workers do not send identical texts.
const BASE_SEED = envInt('LOAD_SEED', Date.now() % 2147483647);
const WORKER_ID = envInt('LOCAL_WORKER_ID', 0);
const random = mulberry32(BASE_SEED * 31 + WORKER_ID * 7919);

const TEXT_CHARS = envInt('TEXT_CHARS', 800);
const CACHE_TEXTS = envInt('CACHE_TEXTS', 5);
const MAX_POLLS = envInt('MAX_POLLS', 120);

const pick = (rng, list) => list[Math.floor(rng() * list.length)];
const between = (rng, low, high) => low + Math.floor(rng() * (high - low + 1));

function sentence(rng) {
  const words = Array.from({ length: between(rng, 8, 18) }, () => pick(rng, VOCABULARY));
  words[0] = words[0][0].toUpperCase() + words[0].slice(1);
  return `${words.join(' ')}.`;
}

/** A paper-like text of about `chars` characters: a heading or two and sentences of random words. */
function randomText(rng = random, chars = TEXT_CHARS) {
  const parts = [];
  let length = 0;
  let heading = 0;
  while (length < chars) {
    const piece = length === 0 || rng() < 0.12 ? `\n${HEADINGS[heading++ % HEADINGS.length]}\n` : `${sentence(rng)} `;
    parts.push(piece);
    length += piece.length;
  }
  // Cut at the last whole word before `chars` and end the sentence there.
  return parts.join('').trim().slice(0, chars).replace(/[\s.]+\S*$/, '.');
}

function randomTitle(rng = random) {
  const words = Array.from({ length: between(rng, 4, 8) }, () => pick(rng, VOCABULARY));
  return words.map((word) => word[0].toUpperCase() + word.slice(1)).join(' ');
}

/** The few fixed papers that cache-hits.yml sends again and again; the same in every worker and run. */
const CACHED_PAPERS = Array.from({ length: CACHE_TEXTS }, (_, index) => {
  const rng = mulberry32(0x5eed + index);
  return { title: `Cached paper ${index + 1}: ${randomTitle(rng)}`, text: randomText(rng) };
});

/** Step: put a new random paper in {{ paperTitle }} and {{ paperText }}. */
function setRandomPaper(context, events, done) {
  context.vars.paperTitle = randomTitle();
  context.vars.paperText = randomText();
  context.vars.submittedAt = Date.now();
  return done();
}

/** Step: put one of the few fixed papers in {{ paperTitle }} and {{ paperText }}. */
function setCachedPaper(context, events, done) {
  const paper = pick(random, CACHED_PAPERS);
  context.vars.paperTitle = paper.title;
  context.vars.paperText = paper.text;
  context.vars.submittedAt = Date.now();
  return done();
}

const isSubmission = (requestParams) => String(requestParams.method).toUpperCase() === 'POST' && /\/analyze(\?|$)/.test(String(requestParams.url));

const parseBody = (response) => {
  if (response.body && typeof response.body === 'object') return response.body;
  try {
    return JSON.parse(response.body);
  } catch {
    return undefined;
  }
};

/**
 * Scenario-level afterResponse (it must run before the expect plugin's check, which stops the hooks after
 * it when an expectation fails): for POST /analyze, counts 200 (cached) against 202 (queued) and the rest.
 */
function countSubmitOutcome(requestParams, response, context, events, done) {
  if (!isSubmission(requestParams)) return done();
  const code = response.statusCode;
  // All three are emitted, 0 or 1, so each is in the report and `ensure` expressions can use it.
  events.emit('counter', 'analyze.answered_200_cached', code === 200 ? 1 : 0);
  events.emit('counter', 'analyze.answered_202_queued', code === 202 ? 1 : 0);
  events.emit('counter', 'analyze.answered_other', code !== 200 && code !== 202 ? 1 : 0);
  // Among the others, what the service sends on purpose under load, all with Retry-After: 429 from its
  // per-client throttle or from its backpressure when the queue is full (told apart by the message),
  // and 503 when it cannot reach Redis.
  const queueFull = code === 429 && /queue is full/.test(parseBody(response)?.message ?? '');
  events.emit('counter', 'analyze.answered_429_throttled', code === 429 && !queueFull ? 1 : 0);
  events.emit('counter', 'analyze.answered_429_queue_full', queueFull ? 1 : 0);
  events.emit('counter', 'analyze.answered_503_unavailable', code === 503 ? 1 : 0);
  return done();
}

/**
 * afterResponse of POST /analyze in submit-and-poll.yml (after the YAML captured request_id and
 * status_url into {{ requestId }} and {{ statusUrl }}): a 200 answer (cached) has no status_url, but
 * its record can be polled all the same at /status/<request_id>, so the loop still has a URL to poll.
 */
function rememberSubmission(requestParams, response, context, events, done) {
  const body = parseBody(response);
  if (!body || typeof body.request_id !== 'string') {
    return done(new Error(`POST /analyze answered ${response.statusCode} without a request_id`));
  }
  if (!context.vars.statusUrl) context.vars.statusUrl = `/status/${body.request_id}`;
  context.vars.pollStatus = body.status;
  context.vars.polls = 0;
  return done();
}

/** afterResponse of GET status_url: remembers the status, the body and Retry-After for the loop. */
function rememberStatus(requestParams, response, context, events, done) {
  events.emit('counter', 'poll.requests', 1);
  context.vars.polls = (context.vars.polls || 0) + 1;
  const body = parseBody(response);
  const retryAfter = Number(response.headers['retry-after']);
  context.vars.retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000;
  if (response.statusCode === 429 || response.statusCode === 503) {
    // Throttled or refused for now: the request itself is unchanged, so poll again after Retry-After.
    events.emit('counter', 'poll.refused', 1);
    return done();
  }
  if (response.statusCode !== 200 || !body || typeof body.status !== 'string') {
    // Anything else (404: the record is gone; 400: a malformed id) ends this user as failed.
    return done(new Error(`poll answered ${response.statusCode}`));
  }
  context.vars.pollStatus = body.status;
  context.vars.lastRecord = body;
  return done();
}

const isFinal = (status) => status === 'done' || status === 'error';

/** Step inside the loop: waits as long as Retry-After asked, unless the request has finished. */
function waitRetryAfter(context, events, done) {
  if (isFinal(context.vars.pollStatus) || context.vars.polls >= MAX_POLLS) return done();
  setTimeout(done, context.vars.retryAfterMs || 1000);
}

/** whileTrue of the polling loop: go on while the request is queued or processing, up to MAX_POLLS polls. */
function keepPolling(context, next) {
  return next(!isFinal(context.vars.pollStatus) && (context.vars.polls || 0) < MAX_POLLS);
}

const isString = (value) => typeof value === 'string';
const isStringArray = (value) => Array.isArray(value) && value.every(isString);

/** Why a done result does not have the documented shape, or undefined when it does. */
function resultShapeProblem(result) {
  if (!result || typeof result !== 'object') return 'no result';
  for (const field of ['title', 'summary', 'methodology', 'results', 'model']) {
    if (!isString(result[field])) return `${field} is not a string`;
  }
  for (const field of ['key_findings', 'limitations', 'keywords']) {
    if (!isStringArray(result[field])) return `${field} is not an array of strings`;
  }
  if (!Array.isArray(result.sections)) return 'sections is not an array';
  const badSection = result.sections.find(
    (section) => !section || !isString(section.name) || !Number.isInteger(section.start) || !Number.isInteger(section.end),
  );
  if (badSection) return `a section is not {name, start, end}: ${JSON.stringify(badSection)}`;
  if (result.provider !== 'groq' && result.provider !== 'offline') return `provider is ${JSON.stringify(result.provider)}, not groq or offline`;
  if (result.model.length === 0) return 'model is empty';
  return undefined;
}

/** Why a finished record does not have the documented shape, or undefined when it does. */
function recordShapeProblem(record) {
  if (!isString(record.request_id) || !isString(record.submitted_at)) return 'request_id or submitted_at missing';
  if (!Number.isInteger(record.attempts) || typeof record.cached !== 'boolean') return 'attempts or cached missing';
  if (!isString(record.finished_at)) return 'finished_at missing on a finished request';
  if (record.status === 'done') return resultShapeProblem(record.result);
  if (record.status === 'error') return isString(record.error) ? undefined : 'an error status without an error message';
  return `status ${JSON.stringify(record.status)} is not final`;
}

/** Step after the loop: how did the request end, and did its record have every field? */
function checkFinalRecord(context, events, done) {
  const record = context.vars.lastRecord || {};
  const status = context.vars.pollStatus;
  const outcome = isFinal(status) ? status : 'gave_up';
  const problem = isFinal(status) ? recordShapeProblem(record) : undefined;
  // Every counter is emitted, 0 or 1, so each one is in the report and `ensure` conditions can test it.
  for (const name of ['done', 'error', 'gave_up']) events.emit('counter', `analysis.${name}`, name === outcome ? 1 : 0);
  events.emit('counter', 'analysis.shape_ok', isFinal(status) && !problem ? 1 : 0);
  events.emit('counter', 'analysis.shape_bad', problem ? 1 : 0);
  if (!isFinal(status)) {
    return done(new Error(`request still ${status} after MAX_POLLS=${MAX_POLLS} polls`));
  }
  if (context.vars.submittedAt) events.emit('histogram', 'analysis.turnaround_ms', Date.now() - context.vars.submittedAt);
  if (problem) return done(new Error(`bad ${status} record: ${problem}`));
  return done();
}

module.exports = {
  // used by the scenarios
  setRandomPaper,
  setCachedPaper,
  countSubmitOutcome,
  rememberSubmission,
  rememberStatus,
  waitRetryAfter,
  keepPolling,
  checkFinalRecord,
  // exported for the unit test and for reuse
  randomText,
  randomTitle,
  resultShapeProblem,
  recordShapeProblem,
  mulberry32,
  CACHED_PAPERS,
};
