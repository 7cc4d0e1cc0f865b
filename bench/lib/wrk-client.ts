/**
 * wrk (C, with LuaJIT scripting) as the load client: a child process that takes a fraction of the CPU
 * autocannon does for the same load. The workload becomes a Lua script generated here; its done() prints
 * the run's figures as one JSON line, and the analyze workload's ids go to one file per wrk thread.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup';
import type { CollectedIds, LoadClient, LoadFigures, LoadOptions, StartedLoad } from './load';
import { runLoadTool } from './load-tool';
import { log } from './log';
import { fmt } from './report';
import { AnalyzeWorkload, StatusWorkload, ThinkTime, WORDS, Workload } from './workloads';

/** wrk's version from `wrk -v` ("wrk debian/4.1.0-3+b2 [epoll] Copyright…", exit code 1), or undefined when not installed. */
export function wrkVersion(): string | undefined {
  const probe = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (probe.error) return undefined;
  return /^wrk (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1];
}

export function wrkClient(version: string, threads: number): LoadClient {
  return {
    name: 'wrk',
    version,
    threads,
    description: `wrk ${version} with ${threads === 1 ? 'one thread' : `${threads} threads`}`,
    describeCounting: (timeout) =>
      'Latencies are wrk\'s as measured (its correction for coordinated omission undone), of the answers within the timeout. ' +
      `Timeouts are answers that came after more than ${timeout} s: wrk does not give up on a request or reopen its connection, ` +
      'and a request still unanswered when the run ends is not counted.',
    start: (options) => startWrk(options, threads),
  };
}

const RESULT_MARKER = 'RPA_WRK_RESULT ';

/** What the script's done() prints after RESULT_MARKER. */
interface WrkResult {
  durationUs: number;
  answers: number;
  codes: Record<string, number>;
  malformed: number;
  errors: { connect: number; read: number; write: number; timeout: number };
  /** null without answers within the timeout; false when the histogram was not as expected (see the script). */
  latencyUs: { p50: number; p90: number; p99: number; max: number } | null | false;
}

function startWrk(options: LoadOptions, threads: number): StartedLoad {
  const { connections, duration, timeout, workload } = options;
  // wrk reads whole seconds only.
  if (!Number.isInteger(duration) || !Number.isInteger(timeout)) throw new Error(`wrk takes whole seconds: duration ${duration}, timeout ${timeout}`);
  const dir = mkdtempSync(join(tmpdir(), 'rpa-bench-wrk-'));
  onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'load.lua');
  writeFileSync(script, luaScript(workload, connections, threads, dir));
  const run = runLoadTool('wrk', [`-t${threads}`, `-c${connections}`, `-d${duration}s`, '--timeout', `${timeout}s`, '-s', script, `http://127.0.0.1:${options.server.port}`]);
  const finished = run.output
    .then((output) => {
      const line = output.split('\n').find((candidate) => candidate.startsWith(RESULT_MARKER));
      if (!line) throw new Error(`wrk printed no result:\n${output.trim().slice(-2_000)}`);
      return JSON.parse(line.slice(RESULT_MARKER.length)) as WrkResult;
    })
    .then((result) => ({
      figures: figuresOf(result),
      ...(workload.kind === 'analyze' && { collectIds: async () => readIds(dir, threads, result) }),
    }));
  return { stop: run.stop, finished };
}

function figuresOf(result: WrkResult): LoadFigures {
  if (result.latencyUs === false) {
    throw new Error('this wrk\'s latency histogram is not laid out as wrk 4\'s: its latencies cannot be read; use --client autocannon');
  }
  const seconds = result.durationUs / 1e6;
  const ok = Object.entries(result.codes).reduce((sum, [code, count]) => sum + (code.startsWith('2') ? count : 0), 0);
  const ms = (us: number | undefined) => (us === undefined ? Number.NaN : us / 1000);
  return {
    seconds,
    okPerSecond: ok / seconds,
    answersPerSecond: result.answers / seconds,
    p50: ms(result.latencyUs?.p50),
    p90: ms(result.latencyUs?.p90),
    p99: ms(result.latencyUs?.p99),
    max: ms(result.latencyUs?.max),
    statusCodes: result.codes,
    errors: result.errors.connect + result.errors.read + result.errors.write,
    timeouts: result.errors.timeout,
  };
}

/** The ids the script wrote, one UUID a line in a file per thread, packed into 16 bytes each. */
function readIds(dir: string, threads: number, result: WrkResult): CollectedIds {
  const chunks: Buffer[] = [];
  for (let index = 1; index <= threads; index += 1) {
    const ids = readFileSync(join(dir, `ids-${index}.txt`), 'latin1').split('\n').filter(Boolean);
    const chunk = Buffer.alloc(ids.length * 16);
    ids.forEach((id, slot) => chunk.write(id.replaceAll('-', ''), slot * 16, 16, 'hex'));
    chunks.push(chunk);
  }
  const count = chunks.reduce((sum, chunk) => sum + chunk.length / 16, 0);
  const accepted = result.codes['202'] ?? 0;
  if (count + result.malformed !== accepted) log(`wrk: ${fmt(count)} ids read and ${result.malformed} unreadable, for ${fmt(accepted)} answers 202`);
  return { chunks, count, malformed: result.malformed };
}

/** Lua literals of plain strings (words, UUIDs): checked, as JSON's escapes are not all Lua's. */
function luaStrings(values: readonly string[]): string {
  const odd = values.find((value) => !/^[\w-]*$/.test(value));
  if (odd !== undefined) throw new Error(`not a plain string for the wrk script: ${JSON.stringify(odd)}`);
  return `{${values.map((value) => `"${value}"`).join(',')}}`;
}

/**
 * The script: wrk runs setup() and done() in one Lua state, and init(), request() and response() in one
 * state per thread; thread:get copies a thread's globals (codes, malformed) to done().
 */
function luaScript(workload: Workload, connections: number, threads: number, dir: string): string {
  const seed = randomBytes(4).readUInt32LE(0);
  return `local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("index", #threads)
end

function init()
  math.randomseed(${seed} + index)
  codes, malformed = {}, 0
  prepare()
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
  on_answer(status, body)
end

${workload.kind === 'analyze' ? analyzeLua(workload, dir) : statusLua(workload)}
${workload.kind === 'analyze' && workload.thinkMs ? thinkLua(workload.thinkMs, connections / threads) : ''}

${doneLua(connections)}`;
}

function analyzeLua(workload: AnalyzeWorkload, dir: string): string {
  return `local WORDS = ${luaStrings(WORDS)}
local HEADERS = { ["content-type"] = "application/json" }
local pool, tag, ids
local counter = 0

local function sentence()
  local words = {}
  for n = 1, math.random(${workload.sentenceWords.min}, ${workload.sentenceWords.max}) do words[n] = WORDS[math.random(#WORDS)] end
  words[1] = words[1]:sub(1, 1):upper() .. words[1]:sub(2)
  return table.concat(words, " ") .. "."
end

function prepare()
  pool = {}
  local distinct = {}
  while #pool < ${workload.poolSize} do
    local text = sentence()
    while #text < ${workload.minTextChars} do text = text .. " " .. sentence() end
    if not distinct[text] then
      distinct[text] = true
      pool[#pool + 1] = text
    end
  end
  tag = "${randomBytes(4).toString('hex')}-" .. index
  -- Closed by wrk's exit, which flushes it: the ids are read after that.
  ids = io.open(${JSON.stringify(join(dir, 'ids-'))} .. index .. ".txt", "w")
end

function request()
  counter = counter + 1
  local body = '{"text":"' .. pool[counter % #pool + 1] .. " Reference " .. tag .. "-" .. counter .. '."}'
  return wrk.format("${workload.method}", "${workload.path}", HEADERS, body)
end

function on_answer(status, body)
  if status ~= 202 then return end
  local at = body:find('"request_id":"', 1, true)
  local id = at and body:sub(at + 14, at + 49) or ""
  if #id ~= 36 or id:sub(9, 9) ~= "-" or id:sub(24, 24) ~= "-" then
    malformed = malformed + 1
    return
  end
  ids:write(id, "\\n")
end`;
}

/**
 * wrk calls delay() before each request of a connection, its first included, and waits that many milliseconds.
 * A thread's first calls are, but for the odd early answer, its connections' first requests (they all connect
 * at the start). Each of those waits what is left of a think time already under way when the run starts: x
 * with a density proportional to the chance that a think time exceeds x (drawn by rejection). The requests then
 * come at the steady rate from the start, where waits drawn like the others would all fall within the first
 * min..max seconds, and waits from 0 to max would overshoot (for 1 to 3 s, by a third after 2 to 3 s).
 */
function thinkLua({ min, max }: ThinkTime, connectionsPerThread: number): string {
  return `local first_requests = ${connectionsPerThread}

local function think()
  return math.random(${min}, ${max})
end

local function rest_of_a_think()
  local wait
  repeat wait = math.random(0, ${max}) until wait <= ${min} or think() >= wait
  return wait
end

function delay()
  if first_requests > 0 then
    first_requests = first_requests - 1
    return rest_of_a_think()
  end
  return think()
end
`;
}

function statusLua(workload: StatusWorkload): string {
  return `local FINISHED = ${luaStrings(workload.finished)}
local PENDING = ${luaStrings(workload.pending)}

function prepare() end

function request()
  local ids = math.random() < ${workload.finishedShare} and FINISHED or PENDING
  return wrk.format("${workload.method}", "${workload.path}" .. ids[math.random(#ids)])
end

function on_answer() end`;
}

/**
 * done(): wrk hands it a latency histogram it has already corrected for coordinated omission: each answer
 * slower than twice the mean interval e between one connection's requests brings copies of itself at
 * its latency - e, - 2e, … while above e. That is undone (the count at m > e, less the corrected count at
 * m + e) so the percentiles are of the answers measured, as autocannon's are; the histogram is read
 * through LuaJIT's FFI as wrk 4 lays it out, and checked: the undone counts must add up to the answers
 * within the timeout.
 */
function doneLua(connections: number): string {
  return `local ffi = require("ffi")
ffi.cdef("typedef struct { uint64_t count, limit, min, max; uint64_t data[]; } rpa_wrk_stats;")

local function measured_latencies(summary, latency)
  local stats = ffi.cast("rpa_wrk_stats **", latency)[0]
  local min, max = tonumber(stats.min), tonumber(stats.max)
  local per_connection = math.floor(summary.requests / ${connections})
  local e = per_connection > 0 and math.floor(summary.duration / per_connection) or math.huge
  local function count(m)
    local n = tonumber(stats.data[m])
    if m > e and m + e <= max then n = n - tonumber(stats.data[m + e]) end
    return n
  end
  local total = 0
  for m = min, max do total = total + count(m) end
  if min ~= latency.min or max ~= latency.max or total ~= summary.requests - summary.errors.timeout then return "false" end
  if total == 0 then return "null" end
  local wanted, found, seen = { 50, 90, 99 }, {}, 0
  for m = min, max do
    seen = seen + count(m)
    while #found < #wanted and seen >= math.ceil(wanted[#found + 1] / 100 * total) do found[#found + 1] = m end
    if #found == #wanted then break end
  end
  return string.format('{"p50":%d,"p90":%d,"p99":%d,"max":%d}', found[1], found[2], found[3], max)
end

function done(summary, latency)
  local codes, malformed = {}, 0
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("codes")) do codes[code] = (codes[code] or 0) + count end
    malformed = malformed + thread:get("malformed")
  end
  local listed = {}
  for code, count in pairs(codes) do listed[#listed + 1] = string.format('"%d":%d', code, count) end
  local errors = summary.errors
  io.write("${RESULT_MARKER}", string.format(
    '{"durationUs":%d,"answers":%d,"codes":{%s},"malformed":%d,"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"latencyUs":%s}',
    summary.duration, summary.requests, table.concat(listed, ","), malformed,
    errors.connect, errors.read, errors.write, errors.timeout, measured_latencies(summary, latency)), "\\n")
end`;
}
