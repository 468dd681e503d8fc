// Carries out one script command against the kernel: deploys, executions,
// listings, drops and deletes. It only acts and collects request results;
// timing and memory are the runner's job.
import { copyFile, rename, rm, access } from 'node:fs/promises';
import { join } from 'node:path';
import { ListingError, type KernelClient, type RequestResult } from '../kernel/client.ts';
import { now, elapsed } from '../measure/clock.ts';
import type { Command, SkillInput } from '../script/types.ts';

/** Input of the execution that follows a deploy (the legacy tool's warm-up). */
const DEPLOY_INPUT: SkillInput = { topic: 'kernel-bench', memory: 0, wait_time: 0 };

export interface ExecutorOptions {
  client: KernelClient;
  /** The directory the kernel watches (made for this run). */
  skillsDir: string;
  /** kind → template .wasm */
  templates: Record<string, string>;
  /** How often to ask the kernel whether a new skill is listed. */
  pollIntervalMs: number;
  /** How long a deployed skill may take to be listed. */
  discoverTimeoutMs: number;
  /** Told every few seconds while a deploy waits for its skills to be listed. */
  onWaiting?: (waitedMs: number, missing: string[]) => void;
}

/** A deploy waiting longer than this is reported (then again every as long). */
export const WAIT_NOTICE_MS = 2000;

export interface StepResult {
  requests: RequestResult[];
  /** Problems that are not failed requests (a skill never listed, nothing to drop). */
  problems: string[];
  /** Null when the wait did not end with every skill listed. */
  discoverMs: number | null;
  /** Null when the first execution was not sent or did not succeed. */
  firstExecMs: number | null;
}

const emptyStep = (): StepResult => ({ requests: [], problems: [], discoverMs: 0, firstExecMs: 0 });

export class Executor {
  /** Skills deployed so far per kind; names count from 1 per kind over the run. */
  readonly deployed: Record<string, number> = {};
  /** Skills currently deployed (file present), by name. */
  private readonly files = new Set<string>();

  constructor(private readonly options: ExecutorOptions) {}

  /**
   * Runs `command` once; the runner repeats it for a repeat prefix. A listing
   * the kernel refused, wherever the command lists, is a failed request of the
   * step, counted with the others; other errors are thrown.
   */
  async step(command: Command): Promise<StepResult> {
    try {
      return await this.act(command);
    } catch (error) {
      if (!(error instanceof ListingError)) throw error;
      return { requests: [error.result], problems: [], discoverMs: null, firstExecMs: null };
    }
  }

  private async act(command: Command): Promise<StepResult> {
    switch (command.kind) {
      case 'add':
        return this.deploy(command.skillKind, 1);
      case 'p_add':
        return this.deploy(command.skillKind, command.count);
      case 'skills':
        return this.listing(() => this.options.client.listSkills(), 'skills');
      case 'cached_skills':
        return this.listing(() => this.options.client.cachedSkills(), 'cached skills');
      case 'execute_skill':
        return {
          ...emptyStep(),
          requests: [await this.options.client.run(command.skill, command.input)],
        };
      case 'execute_all': {
        const step = emptyStep();
        for (const skill of await this.options.client.listSkills()) {
          step.requests.push(await this.options.client.run(skill, command.input));
        }
        return step;
      }
      case 'p_execute_all': {
        const { client } = this.options;
        const skills = await client.listSkills();
        const requests = skills.flatMap((skill) =>
          client.runTimes(skill, command.input, command.times),
        );
        return { ...emptyStep(), requests: await Promise.all(requests) };
      }
      case 'drop_cached_skill':
        return this.drop(command.skill);
      case 'delete_skill':
        return this.remove(command.skill);
    }
  }

  private async listing(list: () => Promise<string[]>, what: string): Promise<StepResult> {
    const start = now();
    await list();
    const ok = { ok: true, status: 200, ms: elapsed(start), start, request: `list ${what}` };
    return { ...emptyStep(), requests: [ok] };
  }

  private async deploy(kind: string, count: number): Promise<StepResult> {
    const step = emptyStep();
    const names: string[] = [];
    // Copy under a temporary name the kernel ignores, then rename: the kernel
    // never sees a half-written .wasm.
    await Promise.all(
      Array.from({ length: count }, async () => {
        const n = (this.deployed[kind] = (this.deployed[kind] ?? 0) + 1);
        const name = `sample_${kind}${n}`;
        names.push(name);
        const target = join(this.options.skillsDir, `${name}.wasm`);
        const temp = join(this.options.skillsDir, `.${name}.wasm.tmp`);
        await copyFile(this.options.templates[kind]!, temp);
        await rename(temp, target);
        this.files.add(name);
      }),
    );
    const start = now();
    const missing = await this.awaitListed(names);
    step.discoverMs = elapsed(start);
    if (missing.length > 0) {
      step.discoverMs = null;
      step.firstExecMs = null;
      step.problems.push(
        `not listed by the kernel within ${this.options.discoverTimeoutMs} ms: ${missing.join(', ')}`,
      );
      return step;
    }
    const execStart = now();
    step.requests = await this.options.client.runMany(
      names.map((name) => () => this.options.client.run(name, DEPLOY_INPUT)),
    );
    // A failed first run (timed out, reset) timed no load: no figure rather than a wrong one.
    step.firstExecMs = step.requests.every((r) => r.ok) ? elapsed(execStart) : null;
    return step;
  }

  /** Polls the list route at a fixed short interval; returns the names still missing at the deadline. */
  private async awaitListed(names: string[]): Promise<string[]> {
    const start = now();
    const deadline = start + this.options.discoverTimeoutMs;
    let nextNotice = start + WAIT_NOTICE_MS;
    let missing = names;
    for (;;) {
      const listed = new Set(await this.options.client.listSkills());
      missing = missing.filter((name) => !listed.has(name));
      if (missing.length === 0 || now() >= deadline) return missing;
      if (now() >= nextNotice) {
        this.options.onWaiting?.(now() - start, missing);
        nextNotice += WAIT_NOTICE_MS;
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.pollIntervalMs));
    }
  }

  private async drop(skill: string | undefined): Promise<StepResult> {
    const step = emptyStep();
    let target = skill;
    if (target === undefined) {
      // Without a name: the first cached skill in string order, as the legacy tool did.
      target = (await this.options.client.cachedSkills()).sort()[0];
      if (target === undefined) {
        step.problems.push('no cached skill to drop');
        return step;
      }
    }
    step.requests.push(await this.options.client.drop(target));
    return step;
  }

  private async remove(skill: string | undefined): Promise<StepResult> {
    const step = emptyStep();
    let target = skill;
    if (target === undefined) {
      // Without a name: the first listed skill whose file still exists (the
      // kernel may list a removed skill until its next rescan).
      const listed = await this.options.client.listSkills();
      target = listed.find((name) => this.files.has(name));
      if (target === undefined) {
        step.problems.push('no deployed skill left to delete');
        return step;
      }
    }
    const file = join(this.options.skillsDir, `${target}.wasm`);
    try {
      await access(file);
    } catch {
      step.problems.push(`no skill file ${target}.wasm in the watched directory`);
      return step;
    }
    await rm(file);
    this.files.delete(target);
    return step;
  }
}
