// The `dev` namespace: what the last rescan of the skills directory found, and
// the cache of loaded skills, each holding its share of memory.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOAD_MS_PER_MIB, type EmulatorConfig } from './config.ts';
import type { Logger } from './log.ts';
import { holdMemory, release } from './memory.ts';

export const NAMESPACE = 'dev';
const MIB = 1024 * 1024;

/** A failure the HTTP layer answers with `status` and a JSON `{ "error": message }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface LoadedSkill {
  /** `dev/NAME` */
  skill: string;
  kind: 'core' | 'component';
  fileBytes: number;
  /** Compiled code, kept like the real kernel keeps it; null for components. */
  module: WebAssembly.Module | null;
  memory: WebAssembly.Memory;
  heldBytes: number;
  loadMs: number;
}

/** `NAME.wasm`, not hidden: `.NAME.wasm.tmp`, `x.wasm.tmp`, `.x.wasm` are skipped. */
export function skillNameOf(fileName: string): string | null {
  return fileName.endsWith('.wasm') && !fileName.startsWith('.') && fileName.length > 5
    ? fileName.slice(0, -'.wasm'.length)
    : null;
}

/** Reads the binary header: a core module (version 1) or a component (layer 1). */
export function wasmKind(bytes: Uint8Array): 'core' | 'component' | null {
  const magic = bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61;
  if (!magic || bytes[2] !== 0x73 || bytes[3] !== 0x6d) return null;
  const layer = bytes[6]! | (bytes[7]! << 8);
  if (layer === 0) return bytes[4] === 1 && bytes[5] === 0 ? 'core' : null;
  return layer === 1 ? 'component' : null;
}

export interface RegistryOptions {
  dir: string;
  memory: EmulatorConfig['skillMemory'];
  loadMs: number | null;
  log: Logger;
}

export class SkillRegistry {
  /** NAME → file path, as of the last rescan. */
  private listed = new Map<string, string>();
  private cache = new Map<string, LoadedSkill>();
  private loading = new Map<string, Promise<LoadedSkill>>();
  private missingWarned = false;

  constructor(private readonly options: RegistryOptions) {}

  async rescan(): Promise<void> {
    const { dir, log } = this.options;
    let files: string[];
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      files = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
      this.missingWarned = false;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      // The real kernel keeps running with an empty namespace; so do we.
      if (!this.missingWarned) log.warn('namespace_watcher', `Skill directory ${dir} not found`);
      this.missingWarned = true;
      files = [];
    }
    const found = new Map<string, string>();
    for (const file of files) {
      const name = skillNameOf(file);
      if (name !== null) found.set(name, path.join(dir, file));
    }
    for (const name of this.listed.keys()) {
      if (found.has(name)) continue;
      log.info('namespace_watcher', `Skill removed: ${NAMESPACE}/${name}`);
      this.dropName(name);
    }
    // Known gap: a file replaced under the same name keeps its cached version
    // until it is dropped; only additions and removals are noticed.
    for (const name of found.keys()) {
      if (!this.listed.has(name)) log.info('namespace_watcher', `New skill: ${NAMESPACE}/${name}`);
    }
    this.listed = found;
    // Tests wait for this line to know when a rescan has happened.
    log.trace('namespace_watcher', `Rescanned ${dir}: ${found.size} skills`);
  }

  /** `dev/NAME` of every listed skill, in string order. */
  list(): string[] {
    return [...this.listed.keys()].map((n) => `${NAMESPACE}/${n}`).sort();
  }

  cached(): string[] {
    return [...this.cache.keys()].map((n) => `${NAMESPACE}/${n}`).sort();
  }

  heldBytes(): number {
    let total = 0;
    for (const skill of this.cache.values()) total += skill.heldBytes;
    return total;
  }

  /** `dev/NAME` → NAME of a listed skill; 404 otherwise. */
  resolve(skill: string): string {
    const slash = skill.indexOf('/');
    const name = skill.slice(slash + 1);
    if (slash < 0 || skill.slice(0, slash) !== NAMESPACE || !this.listed.has(name)) {
      throw new HttpError(404, `Skill ${JSON.stringify(skill)} not found`);
    }
    return name;
  }

  /** The cached skill, loading it first if needed; concurrent callers share one load. */
  async load(name: string): Promise<LoadedSkill> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    let pending = this.loading.get(name);
    if (!pending) {
      pending = this.loadNow(name).finally(() => this.loading.delete(name));
      this.loading.set(name, pending);
    }
    return pending;
  }

  private async loadNow(name: string): Promise<LoadedSkill> {
    const { log, memory, loadMs } = this.options;
    const skill = `${NAMESPACE}/${name}`;
    const file = this.listed.get(name)!;
    const started = performance.now();
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new HttpError(500, `Loading ${skill} failed: ${(error as Error).message}`);
    }
    const kind = wasmKind(bytes);
    if (kind === null) {
      throw new HttpError(
        500,
        `Loading ${skill} failed: ${file} is not a WebAssembly module or component (bad header)`,
      );
    }
    let module: WebAssembly.Module | null = null;
    if (kind === 'core') {
      try {
        // readFile returns a Buffer over a plain ArrayBuffer; the cast only narrows the type.
        module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
      } catch (error) {
        throw new HttpError(
          500,
          `Loading ${skill} failed: ${file} is not a valid WebAssembly module: ${(error as Error).message}`,
        );
      }
    }
    // Node cannot compile components; their header is all we check (a known gap).
    const heldBytes =
      memory.kind === 'kb' ? memory.kb * 1024 : Math.round(memory.factor * bytes.length);
    let held: WebAssembly.Memory;
    try {
      held = holdMemory(heldBytes);
    } catch (error) {
      throw new HttpError(500, `Loading ${skill} failed: ${(error as Error).message}`);
    }
    // The load takes the configured time in all, the work above included: a
    // fixed sleep on top of it would make "15% slower loads" only 13% slower
    // (reading, compiling and filling 24 MiB took 50-100 ms of a 300 ms load
    // on a loaded 2-core machine) and carry that work's jitter into every load.
    const total = loadMs ?? Math.round((bytes.length / MIB) * LOAD_MS_PER_MIB);
    await sleep(Math.max(0, total - (performance.now() - started)));
    const loaded: LoadedSkill = {
      skill,
      kind,
      fileBytes: bytes.length,
      module,
      memory: held,
      heldBytes,
      loadMs: Math.round(performance.now() - started),
    };
    // A rescan may have removed the file meanwhile: answer this execution but
    // do not cache a skill that is no longer listed.
    if (this.listed.get(name) === file) this.cache.set(name, loaded);
    log.info(
      'skill_loader',
      `Loaded ${skill} (${kind}, ${bytes.length} bytes) in ${loaded.loadMs} ms, holding ${Math.round(heldBytes / 1024)} KiB`,
    );
    return loaded;
  }

  /** Drops `dev/NAME` from the cache; false when it was not cached. */
  drop(skill: string): boolean {
    const slash = skill.indexOf('/');
    if (slash < 0 || skill.slice(0, slash) !== NAMESPACE) return false;
    const dropped = this.dropName(skill.slice(slash + 1));
    if (dropped) this.options.log.info('skill_loader', `Dropped ${skill} from the cache`);
    return dropped;
  }

  private dropName(name: string): boolean {
    if (!this.cache.delete(name)) return false;
    release();
    return true;
  }

  clear(): void {
    this.cache.clear();
    this.listed.clear();
    release();
  }
}
