import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { statusUrl } from '../../src/analysis/commands/analyze-paper/analyze-paper.controller';
import { Environment } from '../../src/config/environment';

/**
 * The Artillery scenarios in artillery/ are checked without Artillery (CI does not install its ~590 MB):
 * they parse, they target loopback by default, every URL they request is a route the service really
 * has, with the right method, every template variable they use is defined, every custom function they
 * name exists in processors.js, and the runner is pinned to Artillery 2.0.21.
 */
const ROOT = join(__dirname, '..', '..');
const ARTILLERY = join(ROOT, 'artillery');
const SCENARIO_FILES = ['smoke.yml', '10k-users.yml', 'submit-and-poll.yml', 'cache-hits.yml'];
/** The scenarios a new user runs against `npm start` as it is; the others need the limits raised (artillery/README.md). */
const WITHIN_DEFAULT_LIMITS = ['smoke.yml', 'submit-and-poll.yml'];
const PINNED_VERSION = '2.0.21';
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];
const UUID = '00000000-0000-4000-8000-000000000000';

type Step = Record<string, any>;
interface RequestStep {
  method: string;
  url: string;
  params: Record<string, any>;
}
interface Route {
  method: string;
  path: string;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, suffix);
    return path.endsWith(suffix) ? [path] : [];
  });
}

/** The service's routes, read from the Nest decorators of src/**\/*.controller.ts (and any global prefix). */
function controllerRoutes(): Route[] {
  const globalPrefix = /setGlobalPrefix\(\s*'([^']*)'/.exec(readFileSync(join(ROOT, 'src', 'main.ts'), 'utf8'))?.[1] ?? '';
  const decorator = /@(Controller|Get|Post|Put|Patch|Delete|Head|Options|All)\(\s*(?:'([^']*)')?\s*[,)]/g;
  const routes: Route[] = [];
  for (const file of filesUnder(join(ROOT, 'src'), '.controller.ts')) {
    let prefix = '';
    for (const [, name, path = ''] of readFileSync(file, 'utf8').matchAll(decorator)) {
      if (name === 'Controller') prefix = path;
      else routes.push({ method: name.toUpperCase(), path: '/' + [globalPrefix, prefix, path].filter(Boolean).join('/') });
    }
  }
  return routes;
}

const routeMatches = (route: Route, method: string, path: string) =>
  (route.method === method || route.method === 'ALL') &&
  new RegExp(`^${route.path.replace(/:[^/]+/g, '[^/]+')}/?$`).test(path);

/** Every HTTP request of a flow, loops and parallel blocks included. */
function requestsOf(flow: Step[]): RequestStep[] {
  return flow.flatMap((step) => {
    if (Array.isArray(step.loop)) return requestsOf(step.loop);
    if (Array.isArray(step.parallel)) return requestsOf(step.parallel);
    const method = HTTP_METHODS.find((name) => step[name]);
    return method ? [{ method: method.toUpperCase(), url: String(step[method].url ?? step[method].uri), params: step[method] }] : [];
  });
}

const asList = (value: unknown): string[] => (value === undefined ? [] : ([] as unknown[]).concat(value).map(String));

/** Every processor function a scenario names: function steps, request and scenario hooks, loop conditions. */
function functionNamesOf(scenario: Step): string[] {
  const fromFlow = (flow: Step[]): string[] =>
    flow.flatMap((step) => {
      if (Array.isArray(step.loop)) return [...asList(step.whileTrue), ...fromFlow(step.loop)];
      if (Array.isArray(step.parallel)) return fromFlow(step.parallel);
      if (step.function) return [String(step.function)];
      const method = HTTP_METHODS.find((name) => step[name]);
      return method ? [...asList(step[method].beforeRequest), ...asList(step[method].afterResponse)] : [];
    });
  const hooks = ['beforeScenario', 'afterScenario', 'beforeRequest', 'afterResponse'].flatMap((hook) => asList(scenario[hook]));
  return [...hooks, ...fromFlow(scenario.flow)];
}

/** How many times one virtual user submits a paper: Infinity when a submission sits in a loop without a count. */
function submissionsPerUser(flow: Step[]): number {
  return flow.reduce((total, step) => {
    if (Array.isArray(step.loop)) {
      const inLoop = submissionsPerUser(step.loop);
      return total + (inLoop === 0 ? 0 : inLoop * (step.count ?? Infinity));
    }
    if (Array.isArray(step.parallel)) return total + submissionsPerUser(step.parallel);
    return total + (step.post && /^\/analyze(\?|$)/.test(String(step.post.url)) ? 1 : 0);
  }, 0);
}

/** Captured variables of a flow: name → JSONPath it was captured from. */
function capturesOf(flow: Step[]): Map<string, string> {
  const captures = new Map<string, string>();
  for (const { params } of requestsOf(flow)) {
    for (const capture of [].concat(params.capture ?? []) as Step[]) captures.set(capture.as, capture.json);
  }
  return captures;
}

const TEMPLATE = /\{\{\s*([$\w.]+)\s*\}\}/g;
const templateNames = (text: string) => [...text.matchAll(TEMPLATE)].map((match) => match[1].split('.')[0]);

/**
 * The path a scenario's URL stands for. A URL that is only a template (`{{ statusUrl }}`) must come
 * from a capture of `$.status_url`, which the service builds with statusUrl(); any other template is
 * a placeholder path segment.
 */
function resolveUrl(url: string, captures: Map<string, string>): string {
  const whole = /^\{\{\s*(\w+)\s*\}\}$/.exec(url.trim());
  if (whole) {
    if (captures.get(whole[1]) !== '$.status_url') throw new Error(`${url} is not a captured $.status_url, so its route cannot be known`);
    return statusUrl(UUID);
  }
  return url.replace(TEMPLATE, UUID).split('?')[0];
}

describe('artillery load scenarios', () => {
  const routes = controllerRoutes();
  const artilleryPackage = readJson(join(ARTILLERY, 'package.json'));
  const rootPackage = readJson(join(ROOT, 'package.json'));
  const processorSource = readFileSync(join(ARTILLERY, 'processors.js'), 'utf8');
  const processorVars = new Set([...processorSource.matchAll(/context\.vars\.(\w+)\s*=[^=]/g)].map((match) => match[1]));

  it('reads the real routes from the controllers', () => {
    const found = routes.map((route) => `${route.method} ${route.path}`);
    expect(found).toEqual(expect.arrayContaining(['POST /analyze', 'GET /status/:id', 'GET /status', 'GET /health/live', 'GET /health/ready']));
    expect(routeMatches({ method: 'GET', path: '/status/:id' }, 'GET', `/status/${UUID}`)).toBe(true);
    expect(routeMatches({ method: 'GET', path: '/status/:id' }, 'POST', `/status/${UUID}`)).toBe(false);
    expect(routeMatches({ method: 'GET', path: '/status' }, 'GET', '/statuses')).toBe(false);
  });

  it('pins Artillery 2.0.21 exactly in its own package, outside the main install', () => {
    expect(artilleryPackage.private).toBe(true);
    const pinned = { ...artilleryPackage.dependencies, ...artilleryPackage.devDependencies }.artillery;
    expect(pinned).toBe(PINNED_VERSION);
    expect({ ...rootPackage.dependencies, ...rootPackage.devDependencies, ...rootPackage.optionalDependencies }).not.toHaveProperty('artillery');
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8')).toMatch(/^\/?artillery\/node_modules\/?$/m);
    const lockPath = join(ARTILLERY, 'package-lock.json');
    if (existsSync(lockPath)) expect(readJson(lockPath).packages['node_modules/artillery'].version).toBe(PINNED_VERSION);
  });

  it('has an npm script per scenario that honours TARGET, and root load:* scripts that delegate to it', () => {
    const expected: Record<string, string> = { smoke: 'smoke.yml', '10k': '10k-users.yml', 'submit-and-poll': 'submit-and-poll.yml', 'cache-hits': 'cache-hits.yml' };
    for (const [name, file] of Object.entries(expected)) {
      const script: string = artilleryPackage.scripts[name];
      expect(script).toMatch(/(^|\s)artillery run /);
      expect(script).toContain('--target ${TARGET:-http://127.0.0.1:8000}');
      expect(script.split(/\s+/)).toContain(file);
      expect(existsSync(join(ARTILLERY, file))).toBe(true);
      expect(rootPackage.scripts[`load:${name}`]).toMatch(new RegExp(`^npm --prefix artillery run ${name}( --)?$`));
    }
  });

  describe.each(SCENARIO_FILES)('%s', (file) => {
    const path = join(ARTILLERY, file);
    const text = readFileSync(path, 'utf8');
    const script = parse(text);
    const scenarios: Step[] = script.scenarios;

    it('explains in comments what it measures', () => {
      expect(text.startsWith('#')).toBe(true);
      expect(text).toMatch(/^# What it measures: /m);
    });

    it('has a loopback default target and phases that end', () => {
      const target = new URL(script.config.target);
      expect(['127.0.0.1', 'localhost']).toContain(target.hostname);
      expect(Array.isArray(script.config.phases)).toBe(true);
      expect(script.config.phases.length).toBeGreaterThan(0);
      for (const phase of script.config.phases) {
        if (phase.pause !== undefined) {
          expect(phase.pause).toBeGreaterThan(0);
          continue;
        }
        expect(phase.duration).toBeGreaterThan(0);
        expect(phase.arrivalRate ?? phase.arrivalCount).toBeGreaterThan(0);
      }
      expect(Array.isArray(scenarios) && scenarios.length > 0).toBe(true);
    });

    it('requests only real routes of the service, with their methods', () => {
      const requests = scenarios.flatMap((scenario) => requestsOf(scenario.flow).map((request) => ({ ...request, captures: capturesOf(scenario.flow) })));
      expect(requests.length).toBeGreaterThan(0);
      for (const { method, url, captures } of requests) {
        const path = resolveUrl(url, captures);
        const route = routes.find((candidate) => routeMatches(candidate, method, path));
        if (!route) throw new Error(`${file}: ${method} ${url} (${path}) is not a route of the service`);
      }
    });

    it('checks the status code of every request with the expect plugin', () => {
      expect(script.config.plugins).toHaveProperty('expect');
      for (const scenario of scenarios) {
        for (const { method, url, params } of requestsOf(scenario.flow)) {
          const checks = ([] as Step[]).concat(params.expect ?? []);
          if (!checks.some((check) => 'statusCode' in check)) throw new Error(`${file}: ${method} ${url} has no statusCode expectation`);
        }
      }
    });

    it('names only plugins that Artillery 2.0.21 bundles', () => {
      const lockPath = join(ARTILLERY, 'package-lock.json');
      const bundled = existsSync(lockPath)
        ? Object.keys(readJson(lockPath).packages).filter((key) => key.startsWith('node_modules/artillery-plugin-')).map((key) => key.slice('node_modules/artillery-plugin-'.length))
        : ['expect', 'ensure', 'metrics-by-endpoint', 'apdex', 'fake-data', 'publish-metrics', 'slack'];
      for (const plugin of Object.keys(script.config.plugins ?? {})) expect(bundled).toContain(plugin);
    });

    it('calls only functions that processors.js exports', () => {
      const names = scenarios.flatMap(functionNamesOf);
      if (names.length === 0) return expect(script.config.processor).toBeUndefined();
      const processorPath = resolve(ARTILLERY, script.config.processor);
      expect(relative(ARTILLERY, processorPath)).toBe('processors.js');
      const processor = require(processorPath);
      for (const name of names) {
        if (typeof processor[name] !== 'function') throw new Error(`${file} names ${name}, which processors.js does not export as a function`);
      }
    });

    it('uses only template variables that something defines', () => {
      const defined = new Set([...Object.keys(script.config.variables ?? {}), ...processorVars, '$loopCount', '$loopElement', '$env', '$processEnvironment', 'target']);
      for (const scenario of scenarios) capturesOf(scenario.flow).forEach((_, name) => defined.add(name));
      const used = templateNames(JSON.stringify(scenarios));
      expect(used.length).toBeGreaterThan(0);
      for (const name of used) if (!defined.has(name)) throw new Error(`${file} uses {{ ${name} }}, which nothing defines`);
    });
  });

  describe.each(WITHIN_DEFAULT_LIMITS)('%s against a service started with its defaults', (file) => {
    const script = parse(readFileSync(join(ARTILLERY, file), 'utf8'));

    it('submits fewer papers in any throttle window than one client may', () => {
      const { THROTTLE_LIMIT, THROTTLE_TTL } = new Environment();
      const peakUsersPerSecond = Math.max(...script.config.phases.map((phase: Step) => Math.max(phase.arrivalRate ?? 0, phase.rampTo ?? 0, (phase.arrivalCount ?? 0) / phase.duration)));
      const perUser = Math.max(...(script.scenarios as Step[]).map((scenario) => submissionsPerUser(scenario.flow)));
      expect(perUser).toBeGreaterThan(0);
      // Arrivals are spread evenly through each second, so a window can hold one second's arrivals more.
      expect(peakUsersPerSecond * (THROTTLE_TTL + 1) * perUser).toBeLessThan(THROTTLE_LIMIT);
    });
  });

  describe('processors.js', () => {
    const processor = require(join(ARTILLERY, 'processors.js'));
    const validResult = {
      title: 'A title',
      summary: 'A summary.',
      key_findings: ['one'],
      methodology: 'A method.',
      results: 'Results.',
      limitations: [],
      keywords: ['word'],
      sections: [{ name: 'Abstract', start: 0, end: 120 }],
      provider: 'offline',
      model: 'extractive-textrank-1.0',
    };

    it('builds ~800-character texts of vocabulary words, reproducible from a seed', () => {
      const texts = [0, 1].map(() => processor.randomText(processor.mulberry32(42)));
      expect(texts[0]).toBe(texts[1]);
      expect(processor.randomText(processor.mulberry32(43))).not.toBe(texts[0]);
      for (let index = 0; index < 20; index++) {
        const text: string = processor.randomText();
        expect(text.length).toBeGreaterThanOrEqual(750);
        expect(text.length).toBeLessThanOrEqual(800);
        expect(text.split(/\s+/).length).toBeGreaterThan(80);
      }
    });

    it('gives each user a fresh paper, and cache-hits a small fixed set', () => {
      const vars = (fn: string) => {
        const context = { vars: {} as Record<string, unknown> };
        processor[fn](context, { emit: () => undefined }, () => undefined);
        return context.vars;
      };
      expect(vars('setRandomPaper').paperText).not.toBe(vars('setRandomPaper').paperText);
      const cached = new Set(Array.from({ length: 50 }, () => vars('setCachedPaper').paperText));
      expect(cached.size).toBeLessThanOrEqual(processor.CACHED_PAPERS.length);
      expect(processor.CACHED_PAPERS.length).toBeGreaterThan(1);
    });

    it('keeps polling only while the request is queued or processing', () => {
      const answer = (pollStatus: string, polls = 1) => {
        let result: boolean | undefined;
        processor.keepPolling({ vars: { pollStatus, polls } }, (value: boolean) => (result = value));
        return result;
      };
      expect(answer('queued')).toBe(true);
      expect(answer('processing')).toBe(true);
      expect(answer('done')).toBe(false);
      expect(answer('error')).toBe(false);
      expect(answer('queued', 10_000)).toBe(false);
    });

    it('accepts a documented result and names what is wrong with a bad one', () => {
      expect(processor.resultShapeProblem(validResult)).toBeUndefined();
      expect(processor.resultShapeProblem({ ...validResult, provider: 'groq' })).toBeUndefined();
      expect(processor.resultShapeProblem({ ...validResult, provider: 'openai' })).toMatch(/provider/);
      expect(processor.resultShapeProblem({ ...validResult, keywords: 'word' })).toMatch(/keywords/);
      expect(processor.resultShapeProblem({ ...validResult, sections: [{ name: 'Abstract' }] })).toMatch(/section/);
      const { summary: _summary, ...withoutSummary } = validResult;
      expect(processor.resultShapeProblem(withoutSummary)).toMatch(/summary/);
    });

    it('fails a user whose request never finished or whose record lacks fields, and counts both', () => {
      const run = (vars: Record<string, unknown>) => {
        const counters: Record<string, number> = {};
        let error: Error | undefined;
        processor.checkFinalRecord({ vars }, { emit: (type: string, name: string, value: number) => type === 'counter' && (counters[name] = value) }, (err?: Error) => (error = err));
        return { counters, error };
      };
      const record = { request_id: UUID, status: 'done', submitted_at: 'x', finished_at: 'y', attempts: 1, cached: false, result: validResult };
      expect(run({ pollStatus: 'done', lastRecord: record })).toEqual({ counters: expect.objectContaining({ 'analysis.done': 1, 'analysis.shape_ok': 1, 'analysis.shape_bad': 0 }), error: undefined });
      expect(run({ pollStatus: 'done', lastRecord: { ...record, result: { ...validResult, provider: 'x' } } }).error?.message).toMatch(/provider/);
      const unfinished = run({ pollStatus: 'processing', polls: 3 });
      expect(unfinished.counters['analysis.gave_up']).toBe(1);
      expect(unfinished.error?.message).toMatch(/still processing/);
    });
  });
});
