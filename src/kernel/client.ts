// HTTP client for one kernel: one undici Pool (keep-alive, `connections`
// sockets at most, the rest queued by undici), routes and bodies from the API
// profile, and failures classified the way the run log counts them.

import { performance } from 'node:perf_hooks';
import { quantileSorted } from 'simple-statistics';
import { Pool, type Dispatcher } from 'undici';
import { InputError, KernelError } from '../errors.ts';
import type { ErrorKind, RequestStats } from '../runlog/types.ts';
import {
  API_NAMES,
  PROFILES,
  isApiName,
  unqualify,
  type ApiName,
  type ApiProfile,
} from './profiles.ts';

export interface RequestResult {
  /** 2xx answer. */
  ok: boolean;
  /** HTTP status; null when no answer came. */
  status: number | null;
  /** Set when `ok` is false. */
  kind?: ErrorKind;
  /** From the call until the body was read or the failure, ms (includes time queued in the pool). */
  ms: number;
  /** performance.now() at the call; with `ms`, gives the span of a batch (see summarize). */
  start?: number;
  /** e.g. `POST /v1/skills/dev/a/run`. */
  request: string;
  /** One line naming the request and what went wrong; never holds the token. */
  error?: string;
  /** The answer's body (an error's first 200 chars; an ok body up to 64 KiB). */
  body?: string;
}

export interface KernelClientOptions {
  /** `host:port`, `[v6]:port` or `http://host:port`; 0.0.0.0 / [::] mean this machine. */
  address?: string;
  /** Same as `address` (either may be given). */
  baseUrl?: string;
  /** The API spoken; or give its name as `api`. */
  profile?: ApiProfile;
  api?: ApiName;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sockets to the kernel; size it to the largest parallel command. Default 16. */
  connections?: number;
  /** Per request, from the call to the whole answer, time queued for a socket included, ms. Default 60 000. */
  timeoutMs?: number;
  /** For `health()`, which is polled while the kernel starts. Default 2 000. */
  healthTimeoutMs?: number;
  /** Requests allowed to wait beyond `connections`; more fail at once as `other`. Default 10 000. */
  maxQueue?: number;
}

const ERROR_BODY_CHARS = 200;
const OK_BODY_CHARS = 64 * 1024;
/** Body bytes kept: enough for OK_BODY_CHARS characters of UTF-8. */
const KEEP_BYTES = 4 * OK_BODY_CHARS;

/** Turn a user address into an origin undici can connect to. */
export function originOf(address: string): string {
  const bare = address.replace(/^http:\/\//, '').replace(/\/+$/, '');
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(bare);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new InputError(
      `kernel address ${JSON.stringify(address)} is not valid; expected HOST:PORT, e.g. 127.0.0.1:8081`,
    );
  }
  // A kernel bound to every interface is reached through loopback.
  const host = match[1] === '0.0.0.0' ? '127.0.0.1' : match[1] === '[::]' ? '[::1]' : match[1];
  return `http://${host}:${port}`;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Map a thrown request error to the run log's kinds. */
export function classify(error: unknown): ErrorKind {
  // undici may wrap the socket error; look one level down too.
  for (const e of [error, (error as { cause?: unknown } | null)?.cause]) {
    const code = codeOf(e);
    const name = (e as { name?: unknown } | null)?.name;
    if (code === 'ECONNREFUSED') return 'refused';
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') return 'reset';
    if (
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      code === 'UND_ERR_CONNECT_TIMEOUT' ||
      code === 'UND_ERR_ABORTED' ||
      code === 'ETIMEDOUT' ||
      name === 'TimeoutError' ||
      name === 'AbortError'
    ) {
      return 'timeout';
    }
  }
  return 'other';
}

function describeError(error: unknown, kind: ErrorKind): string {
  const code = codeOf(error) ?? codeOf((error as { cause?: unknown } | null)?.cause);
  const message = error instanceof Error ? error.message : String(error);
  const what = {
    refused: 'connection refused',
    reset: 'connection reset',
    timeout: 'timed out',
    http: 'HTTP error',
    other: 'failed',
  }[kind];
  return `${what} (${code ? `${code}: ` : ''}${message})`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/**
 * A listing that failed or did not answer with skill names. `result` is its
 * request, failed, so the command's entry counts it with the others.
 */
export class ListingError extends KernelError {
  constructor(
    message: string,
    readonly result: RequestResult,
  ) {
    super(message);
  }
}

export class KernelClient {
  readonly origin: string;
  readonly profile: ApiProfile;
  private readonly pool: Pool;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly healthTimeoutMs: number;
  private readonly limit: number;
  /** The requests in flight or queued, by their deadlines. */
  private readonly deadlines = new Deadlines();
  private readonly jsonHeaders: Record<string, string>;
  private readonly plainHeaders: Record<string, string>;

  constructor(opts: KernelClientOptions) {
    const address = opts.address ?? opts.baseUrl;
    if (address === undefined) throw new InputError('KernelClient needs `address` (HOST:PORT)');
    this.origin = originOf(address);
    if (opts.profile) this.profile = opts.profile;
    else if (isApiName(opts.api)) this.profile = PROFILES[opts.api];
    else {
      throw new InputError(
        `KernelClient API ${JSON.stringify(opts.api)} is not known; expected one of ${API_NAMES.join(', ')}`,
      );
    }
    this.token = opts.token === '' ? undefined : opts.token;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.healthTimeoutMs = opts.healthTimeoutMs ?? 2_000;
    const connections = Math.max(1, Math.floor(opts.connections ?? 16));
    this.limit = connections + Math.max(0, opts.maxQueue ?? 10_000);
    this.plainHeaders = this.token ? { authorization: `Bearer ${this.token}` } : {};
    this.jsonHeaders = { ...this.plainHeaders, 'content-type': 'application/json' };
    this.pool = new Pool(this.origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      // Off: each request's own deadline (Deadlines) ends it, queue time
      // included; undici's would add two timers per request, in whole seconds.
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: { timeout: Math.min(this.timeoutMs, 10_000) },
    });
  }

  /** Remove the token from text that may have echoed it (an error, a body). */
  private scrub(text: string): string {
    return this.token ? text.split(this.token).join('***') : text;
  }

  /** One request; never rejects. */
  private send(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body: Buffer | undefined,
    timeoutMs: number,
    request = `${method} ${path}`,
  ): Promise<RequestResult> {
    const start = performance.now();
    if (this.deadlines.size >= this.limit) {
      return Promise.resolve({
        ok: false,
        status: null,
        kind: 'other',
        ms: 0,
        start,
        request,
        error: `${request}: not sent, ${this.deadlines.size} requests already waiting (limit ${this.limit})`,
      });
    }
    return new Promise((resolve) => {
      const exchange = new Exchange(this, request, start, timeoutMs, resolve);
      this.deadlines.add(exchange);
      this.pool.dispatch(
        { method, path, headers: body === undefined ? this.plainHeaders : this.jsonHeaders, body },
        exchange as unknown as Dispatcher.DispatchHandler,
      );
    });
  }

  /** Called by an Exchange once, when it ends either way. */
  ended(): void {
    this.deadlines.remove();
  }

  /** The result of a request that got an answer. */
  answered(exchange: Exchange, status: number, raw: string): RequestResult {
    const { request, start } = exchange;
    const text = this.scrub(raw);
    const ms = performance.now() - start;
    if (status >= 200 && status < 300) {
      return { ok: true, status, ms, start, request, body: text.slice(0, OK_BODY_CHARS) };
    }
    const excerpt = text.slice(0, ERROR_BODY_CHARS);
    return {
      ok: false,
      status,
      kind: status >= 400 ? 'http' : 'other',
      ms,
      start,
      request,
      error: `${request}: HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`,
      body: excerpt,
    };
  }

  /** The result of a request that got no answer (refused, reset, timed out). */
  failed(exchange: Exchange, error: unknown): RequestResult {
    const { request, start, timeoutMs } = exchange;
    const ms = performance.now() - start;
    const kind = classify(error);
    const after = kind === 'timeout' ? ` after ${Math.round(ms)} ms (limit ${timeoutMs} ms)` : '';
    return {
      ok: false,
      status: null,
      kind,
      ms,
      start,
      request,
      error: this.scrub(`${request} to ${this.origin}: ${describeError(error, kind)}${after}`),
    };
  }

  /** True when the kernel answers its health route with 2xx; never throws. */
  async health(): Promise<boolean> {
    try {
      return (await this.send('GET', this.profile.health, undefined, this.healthTimeoutMs)).ok;
    } catch {
      return false;
    }
  }

  private async names(path: string): Promise<string[]> {
    const result = await this.send('GET', path, undefined, this.timeoutMs);
    if (!result.ok) {
      throw new ListingError(
        result.error ?? `${result.request}: failed with status ${result.status ?? 'none'}`,
        result,
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(result.body ?? '');
    } catch {
      value = undefined;
    }
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      const error =
        `${result.request}: answer ${JSON.stringify((result.body ?? '').slice(0, ERROR_BODY_CHARS))} ` +
        'is not the expected JSON array of skill names, e.g. ["dev/a"]';
      throw new ListingError(error, { ...result, ok: false, kind: 'other', error });
    }
    // Plain string order (not locale, not numeric): sample_py10 < sample_py2, as the old tool.
    return value.map(unqualify).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Listed skills, without the `dev/` prefix, in string order. Throws KernelError on failure. */
  listSkills(): Promise<string[]> {
    return this.names(this.profile.listSkills);
  }

  /** Cached skills, without the `dev/` prefix, in string order. Throws KernelError on failure. */
  cachedSkills(): Promise<string[]> {
    return this.names(this.profile.cachedSkills);
  }

  /** Execute a skill; never throws. */
  run(skill: string, input: object): Promise<RequestResult> {
    return this.runTimes(skill, input, 1)[0]!;
  }

  /**
   * Execute a skill `times` times at once (the pool bounds concurrency); each
   * never throws. The route and body are built once for all of them.
   */
  runTimes(skill: string, input: object, times: number): Promise<RequestResult>[] {
    const r = this.profile.run(skill, input);
    const request = `${r.method} ${r.path}`;
    // As bytes once: undici would encode a string body for every request.
    const body = Buffer.from(r.body);
    return Array.from({ length: times }, () =>
      this.send(r.method, r.path, body, this.timeoutMs, request),
    );
  }

  /** Evict a skill from the cache; never throws. */
  drop(skill: string): Promise<RequestResult> {
    const r = this.profile.drop(skill);
    return this.send(r.method, r.path, undefined, this.timeoutMs);
  }

  /** Fire every task at once (the pool bounds concurrency); always resolves, in task order. */
  runMany(tasks: (() => Promise<RequestResult>)[]): Promise<RequestResult[]> {
    return runMany(tasks);
  }

  /** Close every connection (idle keep-alive sockets would otherwise slow the kernel's stop). */
  async close(): Promise<void> {
    if (this.pool.closed || this.pool.destroyed) return;
    // A graceful close waits for requests in flight; don't let a hung one hold us.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), 1000);
    });
    const outcome = await Promise.race([this.pool.close().then(() => 'closed' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') await this.pool.destroy();
  }
}

/** Run every task at once (the pool bounds concurrency); always resolves, in task order. */
export function runMany(tasks: (() => Promise<RequestResult>)[]): Promise<RequestResult[]> {
  return Promise.all(
    tasks.map(async (task) => {
      const t0 = performance.now();
      try {
        return await task();
      } catch (error) {
        return {
          ok: false,
          status: null,
          kind: 'other' as const,
          ms: performance.now() - t0,
          start: t0,
          request: 'task',
          error: `task failed: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    }),
  );
}

/**
 * Counts and latency, rounded to 0.1 ms; zeros when empty. Latency covers the
 * ok requests only, so fast failures (a reset under saturation) do not pull
 * it down; when none is ok it covers all of them, and `latency_of` says which.
 */
export function summarize(results: RequestResult[]): RequestStats {
  const errors: Partial<Record<ErrorKind, number>> = {};
  let ok = 0;
  for (const r of results) {
    if (r.ok) ok++;
    else {
      const kind = r.kind ?? 'other';
      errors[kind] = (errors[kind] ?? 0) + 1;
    }
  }
  const latencyOf = ok > 0 ? 'ok' : 'all';
  const sorted = results
    .filter((r) => latencyOf === 'all' || r.ok)
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  const q = (p: number) => (sorted.length === 0 ? 0 : round1(quantileSorted(sorted, p)));
  const stats: RequestStats = {
    count: results.length,
    ok,
    errors,
    latency: {
      min: sorted.length === 0 ? 0 : round1(sorted[0]!),
      p50: q(0.5),
      p95: q(0.95),
      p99: q(0.99),
      max: sorted.length === 0 ? 0 : round1(sorted[sorted.length - 1]!),
    },
    latency_of: latencyOf,
  };
  const span = spanOf(results);
  if (span !== null) stats.span_ms = span;
  return stats;
}

/**
 * From the first request's call to the last one's end, ms, rounded to 0.1;
 * null when a result has no `start`. For `p_execute_all` this is the
 * parallel phase without the listing that precedes it.
 */
function spanOf(results: RequestResult[]): number | null {
  if (results.length === 0) return null;
  let first = Infinity;
  let last = -Infinity;
  for (const r of results) {
    if (r.start === undefined) return null;
    first = Math.min(first, r.start);
    last = Math.max(last, r.start + r.ms);
  }
  return round1(last - first);
}

/** Something with a deadline: `expire()` is called once `at` (performance.now() ms) has passed. */
interface Deadline {
  readonly at: number;
  /** True once it ended; Deadlines skips it from then on. */
  readonly settled: boolean;
  expire(): void;
}

/**
 * One request through undici's dispatch API, as its handler: keeps the status
 * and up to KEEP_BYTES of the body, and settles the request's promise once,
 * with an answer, a failure, or a TimeoutError once `timeoutMs` have passed
 * since the call, time queued for a socket included (see Deadlines).
 *
 * Why dispatch and not `pool.request()`: it hands over an abort function, so
 * a request can be ended at its deadline without an AbortSignal per request
 * (with one, a burst of 200 cost the harness a fifth more CPU; without any,
 * undici's own timers fired a 300 ms limit after 1 s), and no body stream is
 * made per request. Why one object with methods rather than closures: a burst
 * of 200 made 1,600 closures and promises; with this it is 200 objects and
 * 200 promises, and the harness's CPU per request fell (see BENCHMARKS.md).
 */
class Exchange implements Deadline {
  readonly at: number;
  private status = 0;
  private kept = 0;
  private first: Buffer | null = null;
  private rest: Buffer[] | null = null;
  private abort: ((reason: Error) => void) | null = null;
  private late: Error | null = null;
  settled = false;

  constructor(
    private readonly client: KernelClient,
    readonly request: string,
    readonly start: number,
    readonly timeoutMs: number,
    private readonly resolve: (result: RequestResult) => void,
  ) {
    this.at = start + timeoutMs;
  }

  expire(): void {
    if (this.settled || this.late) return;
    this.late = new DOMException('request deadline reached', 'TimeoutError');
    if (this.abort) this.abort(this.late);
    else this.onError(this.late); // still queued: aborted once it reaches a socket
  }

  onConnect(abort: (reason: Error) => void): void {
    if (this.late) return abort(this.late);
    this.abort = abort;
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.kept < KEEP_BYTES) {
      if (this.first === null) this.first = chunk;
      else (this.rest ??= []).push(chunk);
      this.kept += chunk.length;
    }
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settled = true;
    this.client.ended();
    const bytes =
      this.first === null
        ? Buffer.alloc(0)
        : this.rest === null
          ? this.first
          : Buffer.concat([this.first, ...this.rest]);
    this.resolve(this.client.answered(this, this.status, bytes.toString('utf8')));
  }

  onError(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.client.ended();
    this.resolve(this.client.failed(this, error));
  }
}

/**
 * The deadlines of the requests in flight, behind one timer set for the
 * earliest: a timer per request cost the harness CPU in every burst, and an
 * idle wait of many seconds costs no wake-up at all. undici's own timeouts
 * tick in whole seconds (a 300 ms limit fired after 1 s), too coarse to report.
 *
 * An array rather than a Set: putting each request's object in a Set cost
 * about 5 us of CPU per request (measured), a fifth of the harness's share.
 * Ended entries stay until every request has ended or they outnumber the
 * live ones, so the array holds at most about twice what is in flight.
 */
class Deadlines {
  #entries: Deadline[] = [];
  #live = 0;
  #timer: NodeJS.Timeout | null = null;
  #armedAt = Infinity;

  /** Deadlines added and not yet removed: the requests not yet ended. */
  get size(): number {
    return this.#live;
  }

  add(deadline: Deadline): void {
    this.#entries.push(deadline);
    this.#live++;
    if (deadline.at < this.#armedAt) this.#arm(deadline.at);
  }

  /** Call once per added deadline, after it has settled. */
  remove(): void {
    this.#live--;
    if (this.#live === 0) {
      this.#entries = [];
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      this.#armedAt = Infinity;
    } else if (this.#entries.length > 2 * this.#live + 64) {
      this.#entries = this.#entries.filter((d) => !d.settled);
    }
  }

  #arm(at: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - performance.now()));
  }

  #fire(): void {
    this.#timer = null;
    this.#armedAt = Infinity;
    const t = performance.now();
    const due: Deadline[] = [];
    let next = Infinity;
    for (const deadline of this.#entries) {
      if (deadline.settled) continue;
      // Timers may fire a little early; a millisecond is not worth a second wake-up.
      if (deadline.at <= t + 1) due.push(deadline);
      else next = Math.min(next, deadline.at);
    }
    if (next < Infinity) this.#arm(next);
    for (const deadline of due) deadline.expire();
  }
}
