import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);
import {
  LOAD_MS_PER_MIB,
  MAX_MEMORY_KB,
  readConfig
} from "./chunk-WLYL4IZA.js";
import {
  InputError
} from "./chunk-ANZINBH5.js";

// src/emulator/run.ts
import { setTimeout as sleep4 } from "node:timers/promises";

// src/emulator/log.ts
var RANK = { off: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };
var COLOUR = { error: 31, warn: 33, info: 32, debug: 34, trace: 35 };
var dim = (text) => `\x1B[2m${text}\x1B[0m`;
var Logger = class {
  constructor(level, write = (line) => process.stdout.write(line)) {
    this.level = level;
    this.write = write;
  }
  level;
  write;
  enabled(level) {
    return RANK[level] <= RANK[this.level];
  }
  log(level, target, message) {
    if (!this.enabled(level)) return;
    const name = `\x1B[${COLOUR[level]}m${level.toUpperCase().padStart(5)}\x1B[0m`;
    const time = (/* @__PURE__ */ new Date()).toISOString().replace("Z", "000Z");
    this.write(`${dim(time)} ${name} ${dim(`pharia_kernel::${target}`)}${dim(":")} ${message}
`);
  }
  error(target, message) {
    this.log("error", target, message);
  }
  warn(target, message) {
    this.log("warn", target, message);
  }
  info(target, message) {
    this.log("info", target, message);
  }
  debug(target, message) {
    this.log("debug", target, message);
  }
  trace(target, message) {
    this.log("trace", target, message);
  }
};

// src/emulator/memory.ts
var PAGE = 64 * 1024;
var MAX_PAGES = MAX_MEMORY_KB * 1024 / PAGE;
var FILL = 90;
function holdMemory(bytes) {
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) throw new RangeError(`${bytes} bytes is above a wasm memory's 4 GiB`);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  new Uint8Array(memory.buffer).fill(FILL);
  return memory;
}
function allocateLikeSkill(kb, random = Math.random) {
  if (kb <= 0) return { memory: null, chunks: 0, bytes: 0 };
  const total = kb * 1024;
  const memory = new WebAssembly.Memory({ initial: 0, maximum: MAX_PAGES });
  let used = 0;
  let chunks = 0;
  while (used < total) {
    const size = kb <= 300 ? total : Math.min(total - used, (100 + Math.floor(random() * 201)) * 1024);
    const capacity = memory.buffer.byteLength;
    if (used + size > capacity) memory.grow(Math.ceil((used + size - capacity) / PAGE));
    new Uint8Array(memory.buffer, used, size).fill(FILL);
    used += size;
    chunks += 1;
  }
  return { memory, chunks, bytes: total };
}
var gc = globalThis.gc;
var canRelease = typeof gc === "function";
function release() {
  if (!gc) return;
  gc();
  gc();
}

// src/emulator/server.ts
import http from "node:http";
import { readFileSync } from "node:fs";
import { setTimeout as sleep3 } from "node:timers/promises";

// src/emulator/sample.ts
import { setTimeout as sleep2 } from "node:timers/promises";

// src/emulator/skills.ts
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
var NAMESPACE = "dev";
var MIB = 1024 * 1024;
var HttpError = class extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
  status;
};
function skillNameOf(fileName) {
  return fileName.endsWith(".wasm") && !fileName.startsWith(".") && fileName.length > 5 ? fileName.slice(0, -".wasm".length) : null;
}
function wasmKind(bytes) {
  const magic = bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 97;
  if (!magic || bytes[2] !== 115 || bytes[3] !== 109) return null;
  const layer = bytes[6] | bytes[7] << 8;
  if (layer === 0) return bytes[4] === 1 && bytes[5] === 0 ? "core" : null;
  return layer === 1 ? "component" : null;
}
var SkillRegistry = class {
  constructor(options) {
    this.options = options;
  }
  options;
  /** NAME → file path, as of the last rescan. */
  listed = /* @__PURE__ */ new Map();
  cache = /* @__PURE__ */ new Map();
  loading = /* @__PURE__ */ new Map();
  missingWarned = false;
  async rescan() {
    const { dir, log } = this.options;
    let files;
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      files = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
      this.missingWarned = false;
    } catch (error) {
      const code = error.code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
      if (!this.missingWarned) log.warn("namespace_watcher", `Skill directory ${dir} not found`);
      this.missingWarned = true;
      files = [];
    }
    const found = /* @__PURE__ */ new Map();
    for (const file of files) {
      const name = skillNameOf(file);
      if (name !== null) found.set(name, path.join(dir, file));
    }
    for (const name of this.listed.keys()) {
      if (found.has(name)) continue;
      log.info("namespace_watcher", `Skill removed: ${NAMESPACE}/${name}`);
      this.dropName(name);
    }
    for (const name of found.keys()) {
      if (!this.listed.has(name)) log.info("namespace_watcher", `New skill: ${NAMESPACE}/${name}`);
    }
    this.listed = found;
    log.trace("namespace_watcher", `Rescanned ${dir}: ${found.size} skills`);
  }
  /** `dev/NAME` of every listed skill, in string order. */
  list() {
    return [...this.listed.keys()].map((n) => `${NAMESPACE}/${n}`).sort();
  }
  cached() {
    return [...this.cache.keys()].map((n) => `${NAMESPACE}/${n}`).sort();
  }
  heldBytes() {
    let total = 0;
    for (const skill of this.cache.values()) total += skill.heldBytes;
    return total;
  }
  /** `dev/NAME` → NAME of a listed skill; 404 otherwise. */
  resolve(skill) {
    const slash = skill.indexOf("/");
    const name = skill.slice(slash + 1);
    if (slash < 0 || skill.slice(0, slash) !== NAMESPACE || !this.listed.has(name)) {
      throw new HttpError(404, `Skill ${JSON.stringify(skill)} not found`);
    }
    return name;
  }
  /** The cached skill, loading it first if needed; concurrent callers share one load. */
  async load(name) {
    const cached = this.cache.get(name);
    if (cached) return cached;
    let pending = this.loading.get(name);
    if (!pending) {
      pending = this.loadNow(name).finally(() => this.loading.delete(name));
      this.loading.set(name, pending);
    }
    return pending;
  }
  async loadNow(name) {
    const { log, memory, loadMs } = this.options;
    const skill = `${NAMESPACE}/${name}`;
    const file = this.listed.get(name);
    const started = performance.now();
    let bytes;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new HttpError(500, `Loading ${skill} failed: ${error.message}`);
    }
    const kind = wasmKind(bytes);
    if (kind === null) {
      throw new HttpError(
        500,
        `Loading ${skill} failed: ${file} is not a WebAssembly module or component (bad header)`
      );
    }
    let module = null;
    if (kind === "core") {
      try {
        module = await WebAssembly.compile(bytes);
      } catch (error) {
        throw new HttpError(
          500,
          `Loading ${skill} failed: ${file} is not a valid WebAssembly module: ${error.message}`
        );
      }
    }
    const heldBytes = memory.kind === "kb" ? memory.kb * 1024 : Math.round(memory.factor * bytes.length);
    let held;
    try {
      held = holdMemory(heldBytes);
    } catch (error) {
      throw new HttpError(500, `Loading ${skill} failed: ${error.message}`);
    }
    const total = loadMs ?? Math.round(bytes.length / MIB * LOAD_MS_PER_MIB);
    await sleep(Math.max(0, total - (performance.now() - started)));
    const loaded = {
      skill,
      kind,
      fileBytes: bytes.length,
      module,
      memory: held,
      heldBytes,
      loadMs: Math.round(performance.now() - started)
    };
    if (this.listed.get(name) === file) this.cache.set(name, loaded);
    log.info(
      "skill_loader",
      `Loaded ${skill} (${kind}, ${bytes.length} bytes) in ${loaded.loadMs} ms, holding ${Math.round(heldBytes / 1024)} KiB`
    );
    return loaded;
  }
  /** Drops `dev/NAME` from the cache; false when it was not cached. */
  drop(skill) {
    const slash = skill.indexOf("/");
    if (slash < 0 || skill.slice(0, slash) !== NAMESPACE) return false;
    const dropped = this.dropName(skill.slice(slash + 1));
    if (dropped) this.options.log.info("skill_loader", `Dropped ${skill} from the cache`);
    return dropped;
  }
  dropName(name) {
    if (!this.cache.delete(name)) return false;
    release();
    return true;
  }
  clear() {
    this.cache.clear();
    this.listed.clear();
    release();
  }
};

// src/emulator/sample.ts
function parseSampleInput(skill, input) {
  const expected = 'an object {"topic": string, "memory": KB, "wait_time": ms}';
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new HttpError(
      400,
      `Input for ${skill}: expected ${expected}, got ${JSON.stringify(input)}`
    );
  }
  const record = input;
  if (typeof record.topic !== "string") {
    throw new HttpError(
      400,
      `Input for ${skill}: "topic" must be a string, got ${JSON.stringify(record.topic ?? null)}`
    );
  }
  const count = (key, max) => {
    const value = record[key] ?? 0;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > max) {
      throw new HttpError(
        400,
        `Input for ${skill}: "${key}" must be an integer from 0 to ${max}, got ${JSON.stringify(value)}`
      );
    }
    return value;
  };
  return {
    topic: record.topic,
    memory: count("memory", MAX_MEMORY_KB),
    wait_time: count("wait_time", 864e5)
  };
}
async function runSample(input) {
  const allocation = allocateLikeSkill(input.memory);
  if (input.wait_time > 0) await sleep2(input.wait_time);
  const { chunks, bytes } = allocation;
  const note = `(held ${input.memory} KB in ${chunks} chunk${chunks === 1 ? "" : "s"} for ${input.wait_time} ms)`;
  return { text: `Hello ${input.topic} ${note}`, bytes };
}

// src/emulator/server.ts
var MAX_BODY_BYTES = 1024 * 1024;
var EmulatedKernel = class {
  constructor(config, log) {
    this.config = config;
    this.log = log;
    this.registry = new SkillRegistry({
      dir: config.skillsDir,
      memory: config.skillMemory,
      loadMs: config.loadMs,
      log
    });
  }
  config;
  log;
  registry;
  server = null;
  metrics = null;
  rescanTimer = null;
  stopping = false;
  inFlight = 0;
  idleWaiters = [];
  executionsStarted = 0;
  executionsRunning = 0;
  executionsDone = 0;
  resets = 0;
  /** Scans once, then listens; resolves with the bound ports (useful with port 0). */
  async start() {
    await this.registry.rescan();
    this.scheduleRescan();
    this.server = http.createServer((req, res) => this.handle(req, res));
    const port = await listen(this.server, this.config.address);
    let metricsPort = null;
    if (this.config.metricsAddress) {
      this.metrics = http.createServer((req, res) => this.serveMetrics(req, res));
      metricsPort = await listen(this.metrics, this.config.metricsAddress);
    }
    return { port, metricsPort };
  }
  scheduleRescan() {
    this.rescanTimer = setTimeout(() => {
      this.registry.rescan().catch(
        (error) => this.log.warn("namespace_watcher", `Rescan failed: ${error.message}`)
      ).finally(() => {
        if (!this.stopping) this.scheduleRescan();
      });
    }, this.config.updateIntervalMs);
  }
  /**
   * Stops accepting, lets requests in flight finish, closes every connection,
   * frees all skills. Resolves when nothing is left open. A long `wait_time`
   * in flight delays the exit by as much (graceful, like axum's shutdown).
   */
  async stop() {
    this.stopping = true;
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    if (this.config.waitForClients) await this.clientsGone();
    const closed = Promise.all([this.server, this.metrics].map((s) => closeServer(s)));
    this.server?.closeIdleConnections();
    this.metrics?.closeAllConnections();
    if (this.inFlight > 0) await new Promise((resolve) => this.idleWaiters.push(resolve));
    this.server?.closeAllConnections();
    await closed;
    this.registry.clear();
  }
  /** Resolves when no client connection is open (idle ones time out after keepAliveTimeout). */
  clientsGone() {
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      const poll = () => server.getConnections((_error, count) => count === 0 ? resolve() : setTimeout(poll, 20));
      poll();
    });
  }
  handle(req, res) {
    if (this.inFlight >= this.config.maxInFlight) {
      this.resets += 1;
      if (this.resets === 1 || this.resets % 100 === 0) {
        this.log.warn(
          "shell",
          `Saturated (${this.inFlight} requests in flight): ${this.resets} connections reset`
        );
      }
      req.socket.resetAndDestroy();
      return;
    }
    this.inFlight += 1;
    res.on("close", () => {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
    this.route(req, res).catch((error) => {
      if (error instanceof HttpError) {
        if (error.status >= 500) this.log.error("shell", error.message);
        sendJson(res, error.status, { error: error.message });
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.log.error("shell", `${req.method} ${req.url} failed: ${message}`);
        sendJson(res, 500, { error: message });
      }
    });
  }
  async route(req, res) {
    const url = req.url ?? "/";
    const pathname = url.split("?")[0];
    const method = req.method ?? "GET";
    this.log.debug("shell", `${method} ${url}`);
    if (pathname === "/health" || pathname === "/healthcheck") {
      allow(method, ["GET"], pathname);
      if (this.config.health === "never") return sendText(res, 503, "not ready");
      return sendText(res, 200, "ok");
    }
    this.authorize(req);
    if (pathname === "/skills" || pathname === "/v1/skills") {
      allow(method, ["GET"], pathname);
      if (this.config.listDelayMs > 0) await sleep3(this.config.listDelayMs);
      return sendJson(res, 200, this.registry.list());
    }
    if (pathname === "/cached_skills") {
      allow(method, ["GET"], pathname);
      return sendJson(res, 200, this.registry.cached());
    }
    if (pathname.startsWith("/cached_skills/")) {
      allow(method, ["DELETE"], pathname);
      const skill = decode(pathname.slice("/cached_skills/".length));
      return sendJson(res, 200, this.registry.drop(skill));
    }
    if (pathname === "/execute_skill") {
      allow(method, ["POST"], pathname);
      const body = await readJson(req);
      if (typeof body !== "object" || body === null || typeof body.skill !== "string") {
        throw new HttpError(
          400,
          `POST /execute_skill: expected {"skill": "dev/NAME", "input": {...}}, got ${truncate(JSON.stringify(body))}`
        );
      }
      const { skill, input } = body;
      return sendJson(res, 200, await this.execute(skill, input ?? null));
    }
    const run = /^\/v1\/skills\/([^/]+)\/([^/]+)\/run$/.exec(pathname);
    if (run) {
      allow(method, ["POST"], pathname);
      const input = await readJson(req);
      return sendJson(res, 200, await this.execute(`${decode(run[1])}/${decode(run[2])}`, input));
    }
    throw new HttpError(404, `No route for ${method} ${pathname}`);
  }
  authorize(req) {
    if (this.config.tokens.length === 0) return;
    const header = req.headers.authorization ?? "";
    const token = /^Bearer (.+)$/.exec(header)?.[1];
    if (token === void 0 || !this.config.tokens.includes(token)) {
      throw new HttpError(
        401,
        header === "" ? 'Missing Authorization header: expected "Bearer <token>"' : 'Authorization header does not carry a valid "Bearer <token>"'
      );
    }
  }
  async execute(skill, input) {
    const name = this.registry.resolve(skill);
    this.executionsStarted += 1;
    const { crashAfter } = this.config;
    if (crashAfter !== null && this.executionsStarted > crashAfter) panic(crashAfter);
    const started = performance.now();
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
      if (bytes > 0 && this.executionsRunning === 0) release();
      this.log.debug("shell", `Executed ${skill} in ${Math.round(performance.now() - started)} ms`);
    }
  }
  serveMetrics(req, res) {
    if ((req.url ?? "").split("?")[0] !== "/metrics") return sendText(res, 404, "not found");
    const gauge = (name, help, value, type = "gauge") => `# HELP ${name} ${help}
# TYPE ${name} ${type}
${name} ${value}
`;
    const body = gauge(
      "kernel_skills_listed",
      "Skills found by the last rescan.",
      this.registry.list().length
    ) + gauge("kernel_skills_cached", "Skills loaded and cached.", this.registry.cached().length) + gauge(
      "kernel_skill_memory_bytes",
      "Memory held by cached skills.",
      this.registry.heldBytes()
    ) + gauge("kernel_requests_in_flight", "HTTP requests being answered.", this.inFlight) + gauge(
      "kernel_skill_executions_total",
      "Skill executions finished.",
      this.executionsDone,
      "counter"
    ) + gauge(
      "kernel_connections_reset_total",
      "Connections reset when saturated.",
      this.resets,
      "counter"
    ) + gauge("process_resident_memory_bytes", "Resident memory of the process.", residentBytes());
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(body);
  }
};
function listen(server, address) {
  return new Promise((resolve, reject) => {
    const onError = (error) => {
      const shown = address.host.includes(":") ? `[${address.host}]` : address.host;
      reject(
        new InputError(
          `${address.source}=${shown}:${address.port}: cannot listen (${error.code ?? error.message}); expected a free local address`
        )
      );
    };
    server.once("error", onError);
    server.listen(address.port, address.host, () => {
      server.off("error", onError);
      resolve(server.address().port);
    });
  });
}
function closeServer(server) {
  return new Promise((resolve) => server?.listening ? server.close(() => resolve()) : resolve());
}
function allow(method, allowed, pathname) {
  if (!allowed.includes(method)) {
    throw new HttpError(
      405,
      `${method} ${pathname}: method not allowed, expected ${allowed.join(" or ")}`
    );
  }
}
function decode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `Bad percent-encoding in ${JSON.stringify(segment)}`);
  }
}
function truncate(text, max = 200) {
  const value = text ?? "nothing";
  return value.length > max ? `${value.slice(0, max)}...` : value;
}
async function readJson(req) {
  const where = `${req.method} ${req.url}`;
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    req.resume();
    throw new HttpError(
      415,
      `${where}: expected header Content-Type: application/json, got ${JSON.stringify(type)}`
    );
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, `${where}: body above ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(
      400,
      `${where}: body is not valid JSON (${error.message}): ${truncate(text)}`
    );
  }
}
function sendJson(res, status, value) {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body)
  });
  res.end(body);
}
function sendText(res, status, text) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text)
  });
  res.end(text);
}
function residentBytes() {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
  }
  return process.memoryUsage.rss();
}
function panic(after) {
  process.stderr.write(
    `thread 'tokio-runtime-worker' panicked at src/skill_runtime.rs:1:1:
emulated crash after ${after} skill executions (KB_EMU_CRASH_AFTER=${after})
note: run with \`RUST_BACKTRACE=1\` environment variable to display a backtrace
`
  );
  process.exit(101);
}

// src/emulator/run.ts
async function runEmulator(env = process.env) {
  const config = readConfig(env);
  const log = new Logger(config.logLevel);
  const kernel = new EmulatedKernel(config, log);
  log.info(
    "kernel",
    `Starting kernel (emulated by kernel-bench, node ${process.version}, pid ${process.pid})`
  );
  if (!canRelease) {
    log.warn(
      "kernel",
      "Started without --expose-gc: freed memory returns to the OS only when V8 collects on its own"
    );
  }
  const { port, metricsPort } = await kernel.start();
  const { host } = config.address;
  const shown = (h) => h.includes(":") ? `[${h}]` : h;
  log.info("namespace_watcher", `Watching ${config.skillsDir} every ${config.updateIntervalMs} ms`);
  if (config.metricsAddress) {
    log.info(
      "metrics",
      `Metrics on http://${shown(config.metricsAddress.host)}:${metricsPort}/metrics`
    );
  }
  log.info("shell", `Listening on http://${shown(host)}:${port}`);
  await new Promise((resolve) => {
    let stopping = false;
    const stop = (signal) => {
      if (signal === "SIGTERM" && config.ignoreSigterm) {
        log.warn("kernel", "Received SIGTERM; ignoring it (KB_EMU_IGNORE_SIGTERM)");
        return;
      }
      if (stopping) return;
      stopping = true;
      log.info("kernel", `Received ${signal}, shutting down`);
      void sleep4(config.stopDelayMs).then(() => kernel.stop()).then(() => {
        process.off("SIGTERM", stop);
        process.off("SIGINT", stop);
        log.info("kernel", "Shutdown complete");
        resolve();
      });
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}

export {
  runEmulator
};
