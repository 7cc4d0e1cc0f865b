/**
 * Runs the fake Groq server until SIGINT/SIGTERM:
 *   npm run fake-groq -- --port 9100 [--latency-ms 300] [--rpm 30] [--tpm 8000] [--rpd N]
 *                        [--fault-rate 0.1 --faults server_error,timeout,stalled_body] [--retry-after 2] [--seed 1]
 * Prints one line, `fake groq listening on http://127.0.0.1:PORT`; errors go to stderr with exit code 2.
 */
import { parseArgs } from 'node:util';
import { FakeGroqServerOptions, parseFaultKinds, validateOptions } from './fake-groq-options';
import { FakeGroqServer } from './fake-groq-server';

const USAGE =
  'usage: npm run fake-groq -- [--port N] [--latency-ms N] [--rpm N] [--tpm N] [--rpd N] ' +
  '[--fault-rate 0..1] [--faults kind,kind] [--retry-after N] [--seed N]';

const NUMBER_FLAGS = {
  'latency-ms': 'latencyMs',
  rpm: 'rpm',
  tpm: 'tpm',
  rpd: 'rpd',
  'fault-rate': 'faultRate',
  'retry-after': 'retryAfterSeconds',
  seed: 'seed',
} as const;

type NumberFlag = keyof typeof NUMBER_FLAGS;

function parseNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`--${flag} must be a number, got "${text}"`);
  return value;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = parseNumber('port', text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got "${text}"`);
  return port;
}

/** `value` if it is valid for option `name`, else an Error naming the flag. */
function checkFlag(flag: string, name: string, value: number): number {
  try {
    validateOptions({ [name]: value });
  } catch (error) {
    throw new Error(`--${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return value;
}

/** The server options the command line asks for; throws an Error naming the bad flag. */
export function parseCommandLine(argv: string[]): FakeGroqServerOptions {
  const stringOption = { type: 'string' } as const;
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: stringOption,
      faults: stringOption,
      ...Object.fromEntries(Object.keys(NUMBER_FLAGS).map((flag) => [flag, stringOption])),
    } as Record<string, typeof stringOption>,
  });
  const options: Record<string, unknown> = {};
  for (const flag of Object.keys(NUMBER_FLAGS) as NumberFlag[]) {
    const text = values[flag];
    if (typeof text === 'string') options[NUMBER_FLAGS[flag]] = checkFlag(flag, NUMBER_FLAGS[flag], parseNumber(flag, text));
  }
  if (typeof values.faults === 'string') {
    options.faultKinds = parseFaultKinds(values.faults.split(',').map((kind) => kind.trim()).filter(Boolean));
  }
  return { ...validateOptions(options), port: parsePort(values.port as string | undefined) };
}

async function main(): Promise<void> {
  let options: FakeGroqServerOptions;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`fake-groq: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
  const server = new FakeGroqServer(options);
  const { baseUrl } = await server.start();
  process.stdout.write(`fake groq listening on ${baseUrl}\n`);
  const shutdown = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`fake-groq: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
