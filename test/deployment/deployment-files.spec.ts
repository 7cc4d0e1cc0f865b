import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Environment } from '../../src/config/environment';

const ROOT = join(__dirname, '..', '..');
const read = (name: string) => readFileSync(join(ROOT, name), 'utf8');

/** No Docker engine runs the tests, so the files are checked for what can be known without one. */
describe('deployment files', () => {
  const compose = parse(read('docker-compose.yml'));
  const packageJson = JSON.parse(read('package.json'));
  /** Every setting the service reads, with its default. */
  const defaults = new Environment() as unknown as Record<string, unknown>;

  it('docker-compose.yml parses and names Redis, the API and a worker sharing that Redis, and load runners behind a profile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'artillery', 'redis', 'worker']);
    expect(compose.services.artillery.profiles).toEqual(['load']);
    expect(compose.services.artillery.environment.TARGET).toContain('http://api:8000');
    const runnerScenarios = Object.keys(JSON.parse(read('artillery/package.json')).scripts);
    expect(runnerScenarios).toContain(compose.services.artillery.environment.SCENARIO.replace(/^\$\{SCENARIO:-(.+)\}$/, '$1'));
    expect(compose.services.api.environment).toMatchObject({ APP_ROLE: 'api', REDIS_URL: 'redis://redis:6379' });
    expect(compose.services.worker.environment).toMatchObject({ APP_ROLE: 'worker', REDIS_URL: 'redis://redis:6379' });
    for (const service of ['api', 'worker']) {
      expect(compose.services[service].build).toBe('.');
      expect(compose.services[service].depends_on.redis.condition).toBe('service_healthy');
      expect(compose.services[service].env_file).toEqual([{ path: '.env', required: false }]);
      expect(compose.services[service].stop_grace_period).toBe('15s');
      expect(compose.services[service].init).toBe(true);
    }
  });

  it("docker-compose.yml's defaults for the service's settings are the service's own", () => {
    const compared: string[] = [];
    for (const service of ['api', 'worker']) {
      for (const [name, value] of Object.entries<string>(compose.services[service].environment)) {
        const [, variable, fallback] = /^\$\{(\w+):-(.*)\}$/.exec(value) ?? [];
        if (variable !== name || !(name in defaults)) continue;
        compared.push(name);
        expect(`${name}=${fallback}`).toBe(`${name}=${defaults[name] ?? ''}`);
      }
    }
    expect(compared).toEqual(expect.arrayContaining(['GROQ_MODEL', 'THROTTLE_LIMIT', 'THROTTLE_STATUS_LIMIT', 'MAX_QUEUE_SIZE', 'LLM_TPM']));
  });

  it('the Dockerfile copies files that exist and runs scripts the project defines', () => {
    const dockerfile = read('Dockerfile');
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1].split(/\s+/));
    expect(copied.length).toBeGreaterThan(3);
    copied.forEach((file) => expect(existsSync(join(ROOT, file))).toBe(true));
    for (const [, script] of dockerfile.matchAll(/npm run (\S+)/g)) expect(packageJson.scripts[script]).toBeDefined();
    expect(dockerfile).toMatch(/CMD \["node", "dist\/main.js"\]/);
    expect(read('nest-cli.json')).toContain('"sourceRoot": "src"');
  });

  it('each npm script the Dockerfile runs finds the project files it runs already copied into its stage', () => {
    const isCopied = (file: string, copied: string) => file === copied || file.startsWith(`${copied.replace(/\/$/, '')}/`);
    const missing: string[] = [];
    let checked = 0;
    for (const stage of read('Dockerfile').split(/^FROM /m).slice(1)) {
      const lines = stage.split('\n');
      lines.forEach((line, index) => {
        const copiedSoFar = lines
          .slice(0, index)
          .flatMap((earlier) => earlier.match(/^COPY (?!--from)(.+) \S+$/)?.[1].split(/\s+/) ?? []);
        for (const [, script] of line.matchAll(/npm run (\S+)/g)) {
          for (const [, file] of packageJson.scripts[script].matchAll(/(?:^|\s)((?:[\w.-]+\/)+[\w.-]+\.[jt]s)\b/g)) {
            checked += 1;
            if (!copiedSoFar.some((copied) => isCopied(file, copied))) missing.push(`npm run ${script} needs ${file}`);
          }
        }
      });
    }
    expect(checked).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it("the README's configuration table lists every variable the configuration reads, with its default", () => {
    const codeList = (cell: string) => cell.split(' / ').map((part) => /^`([^`]*)`$/.exec(part.trim())?.[1]);
    const documented = new Map<string, string | undefined>();
    for (const [, names, values] of read('README.md').matchAll(/^\| (`[A-Z][A-Z0-9_]+`(?: \/ `[A-Z][A-Z0-9_]+`)*) \| ([^|]+) \|/gm)) {
      const variables = codeList(names);
      const stated = codeList(values);
      variables.forEach((variable, index) => documented.set(variable!, stated.length === variables.length ? stated[index] : undefined));
    }
    expect([...documented.keys()].sort()).toEqual(Object.keys(defaults).sort());
    // A default written as code is the configuration's own; only these are described in words (the number of cores).
    const inWords = [...documented].filter(([, stated]) => stated === undefined).map(([variable]) => variable);
    expect(inWords.sort()).toEqual(['API_KEYS', 'GROQ_API_KEY', 'GROQ_BASE_URL', 'LLM_PROVIDER', 'WEB_CONCURRENCY']);
    for (const [variable, stated] of documented) {
      if (stated !== undefined) expect(`${variable}=${stated}`).toBe(`${variable}=${defaults[variable]}`);
    }
  });

  it('.env.example lists every variable the configuration reads', () => {
    const source = read('src/config/environment.ts');
    const variables = [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+)[?]?[:=; ]/gm)].map((match) => match[1]);
    const example = read('.env.example');
    expect(variables.length).toBeGreaterThan(15);
    variables.forEach((variable) => expect(example).toMatch(new RegExp(`^${variable}=`, 'm')));
  });
});
