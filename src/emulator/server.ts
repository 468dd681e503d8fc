// The HTTP side of the emulated kernel: both API generations on one port,
// optional Prometheus metrics on another, saturation and crash knobs.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../errors.ts';
import type { Address, EmulatorConfig } from './config.ts';
import type { Logger } from './log.ts';
import { release } from './memory.ts';
import { parseSampleInput, runSample } from './sample.ts';
import { HttpError, SkillRegistry } from './skills.ts';

/** Request bodies are small JSON objects; anything bigger is a client bug. */
const MAX_BODY_BYTES = 1024 * 1024;

export class EmulatedKernel {
  readonly registry: SkillRegistry;
  private server: http.Server | null = null;
  private metrics: http.Server | null = null;
  private rescanTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private executionsStarted = 0;
  private executionsRunning = 0;
  private executionsDone = 0;
  private resets = 0;

  constructor(
    private readonly config: EmulatorConfig,
    private readonly log: Logger,
  ) {
    this.registry = new SkillRegistry({
      dir: config.skillsDir,
      memory: config.skillMemory,
      loadMs: config.loadMs,
      log,
    });
  }

  /** Scans once, then listens; resolves with the bound ports (useful with port 0). */
  async start(): Promise<{ port: number; metricsPort: number | null }> {
    await this.registry.rescan();
    this.scheduleRescan();
    this.server = http.createServer((req, res) => this.handle(req, res));
    const port = await listen(this.server, this.config.address);
    let metricsPort: number | null = null;
    if (this.config.metricsAddress) {
      this.metrics = http.createServer((req, res) => this.serveMetrics(req, res));
      metricsPort = await listen(this.metrics, this.config.metricsAddress);
    }
    return { port, metricsPort };
  }

  private scheduleRescan(): void {
    // A chain of timeouts rather than an interval, so slow scans never overlap.
    this.rescanTimer = setTimeout(() => {
      this.registry
        .rescan()
        .catch((error: Error) =>
          this.log.warn('namespace_watcher', `Rescan failed: ${error.message}`),
        )
        .finally(() => {
          if (!this.stopping) this.scheduleRescan();
        });
    }, this.config.updateIntervalMs);
  }

  /**
   * Stops accepting, lets requests in flight finish, closes every connection,
   * frees all skills. Resolves when nothing is left open. A long `wait_time`
   * in flight delays the exit by as much (graceful, like axum's shutdown).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    if (this.config.waitForClients) await this.clientsGone();
    const closed = Promise.all([this.server, this.metrics].map((s) => closeServer(s)));
    this.server?.closeIdleConnections();
    this.metrics?.closeAllConnections();
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.server?.closeAllConnections();
    await closed;
    this.registry.clear();
  }

  /** Resolves when no client connection is open (idle ones time out after keepAliveTimeout). */
  private clientsGone(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      const poll = () =>
        server.getConnections((_error, count) => (count === 0 ? resolve() : setTimeout(poll, 20)));
      poll();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.inFlight >= this.config.maxInFlight) {
      // Saturated: like the real kernel under too many requests, stop
      // answering; the client sees a connection reset.
      this.resets += 1;
      if (this.resets === 1 || this.resets % 100 === 0) {
        this.log.warn(
          'shell',
          `Saturated (${this.inFlight} requests in flight): ${this.resets} connections reset`,
        );
      }
      req.socket.resetAndDestroy();
      return;
    }
    this.inFlight += 1;
    res.on('close', () => {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
    this.route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.status >= 500) this.log.error('shell', error.message);
        sendJson(res, error.status, { error: error.message });
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.log.error('shell', `${req.method} ${req.url} failed: ${message}`);
        sendJson(res, 500, { error: message });
      }
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0]!;
    const method = req.method ?? 'GET';
    this.log.debug('shell', `${method} ${url}`);

    if (pathname === '/health' || pathname === '/healthcheck') {
      allow(method, ['GET'], pathname);
      if (this.config.health === 'never') return sendText(res, 503, 'not ready');
      return sendText(res, 200, 'ok');
    }

    this.authorize(req);

    if (pathname === '/skills' || pathname === '/v1/skills') {
      allow(method, ['GET'], pathname);
      if (this.config.listDelayMs > 0) await sleep(this.config.listDelayMs);
      return sendJson(res, 200, this.registry.list());
    }
    if (pathname === '/cached_skills') {
      allow(method, ['GET'], pathname);
      return sendJson(res, 200, this.registry.cached());
    }
    if (pathname.startsWith('/cached_skills/')) {
      allow(method, ['DELETE'], pathname);
      // `dev%2Fa` (2024) and `dev/a` (v1) both decode to `dev/a`.
      const skill = decode(pathname.slice('/cached_skills/'.length));
      // Not cached (or unknown): 200 with `false`, cached: 200 with `true`.
      return sendJson(res, 200, this.registry.drop(skill));
    }
    if (pathname === '/execute_skill') {
      allow(method, ['POST'], pathname);
      const body = await readJson(req);
      if (
        typeof body !== 'object' ||
        body === null ||
        typeof (body as { skill?: unknown }).skill !== 'string'
      ) {
        throw new HttpError(
          400,
          `POST /execute_skill: expected {"skill": "dev/NAME", "input": {...}}, got ${truncate(JSON.stringify(body))}`,
        );
      }
      const { skill, input } = body as { skill: string; input?: unknown };
      return sendJson(res, 200, await this.execute(skill, input ?? null));
    }
    const run = /^\/v1\/skills\/([^/]+)\/([^/]+)\/run$/.exec(pathname);
    if (run) {
      allow(method, ['POST'], pathname);
      const input = await readJson(req);
      return sendJson(res, 200, await this.execute(`${decode(run[1]!)}/${decode(run[2]!)}`, input));
    }
    throw new HttpError(404, `No route for ${method} ${pathname}`);
  }

  private authorize(req: http.IncomingMessage): void {
    if (this.config.tokens.length === 0) return;
    const header = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/.exec(header)?.[1];
    if (token === undefined || !this.config.tokens.includes(token)) {
      throw new HttpError(
        401,
        header === ''
          ? 'Missing Authorization header: expected "Bearer <token>"'
          : 'Authorization header does not carry a valid "Bearer <token>"',
      );
    }
  }

  private async execute(skill: string, input: unknown): Promise<string> {
    const name = this.registry.resolve(skill);
    this.executionsStarted += 1;
    const { crashAfter } = this.config;
    if (crashAfter !== null && this.executionsStarted > crashAfter) panic(crashAfter);
    const started = performance.now();
    // Load first, then validate, as the real kernel hands input to a loaded skill.
    await this.registry.load(name);
    const parsed = parseSampleInput(skill, input);
    this.executionsRunning += 1;
    let bytes = 0;
    try {
      const result = await runSample(parsed);
      bytes = result.bytes;
      return result.text;
    } finally {
      this.executionsRunning -= 1;
      this.executionsDone += 1;
      // Give the memory back before answering, as the Rust kernel does when an
      // instance ends; with many at once, only the last one collects.
      if (bytes > 0 && this.executionsRunning === 0) release();
      this.log.debug('shell', `Executed ${skill} in ${Math.round(performance.now() - started)} ms`);
    }
  }

  private serveMetrics(req: http.IncomingMessage, res: http.ServerResponse): void {
    if ((req.url ?? '').split('?')[0] !== '/metrics') return sendText(res, 404, 'not found');
    const gauge = (name: string, help: string, value: number, type = 'gauge') =>
      `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
    const body =
      gauge(
        'kernel_skills_listed',
        'Skills found by the last rescan.',
        this.registry.list().length,
      ) +
      gauge('kernel_skills_cached', 'Skills loaded and cached.', this.registry.cached().length) +
      gauge(
        'kernel_skill_memory_bytes',
        'Memory held by cached skills.',
        this.registry.heldBytes(),
      ) +
      gauge('kernel_requests_in_flight', 'HTTP requests being answered.', this.inFlight) +
      gauge(
        'kernel_skill_executions_total',
        'Skill executions finished.',
        this.executionsDone,
        'counter',
      ) +
      gauge(
        'kernel_connections_reset_total',
        'Connections reset when saturated.',
        this.resets,
        'counter',
      ) +
      gauge('process_resident_memory_bytes', 'Resident memory of the process.', residentBytes());
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body);
  }
}

function listen(server: http.Server, address: Address): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const shown = address.host.includes(':') ? `[${address.host}]` : address.host;
      reject(
        new InputError(
          `${address.source}=${shown}:${address.port}: cannot listen (${error.code ?? error.message}); expected a free local address`,
        ),
      );
    };
    server.once('error', onError);
    server.listen(address.port, address.host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server | null): Promise<void> {
  return new Promise((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
}

function allow(method: string, allowed: string[], pathname: string): void {
  if (!allowed.includes(method)) {
    throw new HttpError(
      405,
      `${method} ${pathname}: method not allowed, expected ${allowed.join(' or ')}`,
    );
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `Bad percent-encoding in ${JSON.stringify(segment)}`);
  }
}

function truncate(text: string | undefined, max = 200): string {
  const value = text ?? 'nothing';
  return value.length > max ? `${value.slice(0, max)}...` : value;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const where = `${req.method} ${req.url}`;
  // Like axum's Json extractor, insist on the content type, so a harness that
  // forgets it fails here as it would against the real kernel.
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    req.resume();
    throw new HttpError(
      415,
      `${where}: expected header Content-Type: application/json, got ${JSON.stringify(type)}`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, `${where}: body above ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(
      400,
      `${where}: body is not valid JSON (${(error as Error).message}): ${truncate(text)}`,
    );
  }
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function residentBytes(): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // Not Linux: fall back to node's own figure.
  }
  return process.memoryUsage.rss();
}

/** Dies like a Rust panic: message on stderr, exit code 101, no cleanup. */
function panic(after: number): never {
  process.stderr.write(
    `thread 'tokio-runtime-worker' panicked at src/skill_runtime.rs:1:1:\n` +
      `emulated crash after ${after} skill executions (KB_EMU_CRASH_AFTER=${after})\n` +
      'note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n',
  );
  process.exit(101);
}
