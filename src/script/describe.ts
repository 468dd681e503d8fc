// What a script will do, worked out without a kernel: how many skills exist before each
// line, the largest burst of parallel requests (to size the HTTP pool), and the summary
// `kernel-bench check` prints.

import { markdownTable } from 'markdown-table';
import type { Script, ScriptLine } from './types.ts';

/** Skills present around one script line, as simulated from the script alone. */
export interface SkillState {
  /** Skills whose file exists before the line runs. */
  before: number;
  /** ... and after it. */
  after: number;
  /** Skills deployed so far by kind, after the line (deletions not subtracted). */
  deployedByKind: Record<string, number>;
}

// Up to this many deployments in a run the simulation tracks every skill name, which makes
// `delete_skill` with and without NAME exact. Beyond it (no kernel holds that many) it only
// counts, and a named delete of a skill already deleted without a name is counted twice.
const NAME_TRACKING_LIMIT = 100_000;

/** A min-heap of strings in string order, for "the first skill in string order". */
class StringHeap {
  private items: string[] = [];
  push(item: string): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= a[i]!) break;
      [a[parent], a[i]] = [a[i]!, a[parent]!];
      i = parent;
    }
  }
  pop(): string | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

function totalDeployments(script: Script): number {
  let total = 0;
  for (const l of script.lines) {
    if (l.command.kind === 'add') total += l.repeat;
    else if (l.command.kind === 'p_add') total += l.repeat * l.command.count;
  }
  return total;
}

/**
 * Replays the script's effect on the watched directory: `add`/`p_add` create
 * `sample_<kind><N>` (N counting from 1 per kind), `delete_skill` removes the named skill or
 * the first existing one in string order. Assumes the directory starts empty.
 * Shortcoming: right after a delete the kernel may still list the skill until its next
 * rescan, so the kernel can list more skills than this counts.
 */
export function simulateSkills(script: Script): SkillState[] {
  const trackNames = totalDeployments(script) <= NAME_TRACKING_LIMIT;
  const existing = new Set<string>();
  const heap = new StringHeap();
  const namedGone = new Set<string>();
  const deployed: Record<string, number> = {};
  let count = 0;

  const add = (kind: string, n: number) => {
    const first = (deployed[kind] ?? 0) + 1;
    deployed[kind] = first - 1 + n;
    count += n;
    if (!trackNames) return;
    for (let i = first; i < first + n; i++) {
      existing.add(`sample_${kind}${i}`);
      heap.push(`sample_${kind}${i}`);
    }
  };
  const removeNamed = (name: string) => {
    if (trackNames) {
      if (existing.delete(name)) count--;
      return;
    }
    const m = /^sample_([a-z_0-9]*?)(\d+)$/.exec(name);
    const deployedOfKind = m ? (deployed[m[1]!] ?? 0) : 0;
    if (m && Number(m[2]) <= deployedOfKind && !namedGone.has(name) && count > 0) {
      namedGone.add(name);
      count--;
    }
  };
  const removeFirst = (times: number) => {
    if (!trackNames) {
      count -= Math.min(times, count);
      return;
    }
    for (let i = 0; i < times && existing.size > 0; i++) {
      let name = heap.pop();
      while (name !== undefined && !existing.has(name)) name = heap.pop();
      if (name === undefined) break;
      existing.delete(name);
      count--;
    }
  };

  return script.lines.map((line) => {
    const before = count;
    const c = line.command;
    if (c.kind === 'add') add(c.skillKind, line.repeat);
    else if (c.kind === 'p_add') add(c.skillKind, line.repeat * c.count);
    else if (c.kind === 'delete_skill') {
      // Repeating a named delete deletes once; the repeats find nothing.
      if (c.skill !== undefined) removeNamed(c.skill);
      else removeFirst(line.repeat);
    }
    return { before, after: count, deployedByKind: { ...deployed } };
  });
}

/** Skills deployed (file present) before each line runs, by line index. */
export function simulateSkillCounts(script: Script): number[] {
  return simulateSkills(script).map((s) => s.before);
}

/** The line with the most requests in flight at once. */
export interface ParallelPeak {
  /** Index into `script.lines`. */
  index: number;
  line: ScriptLine;
  skills: number;
  times: number;
  /** skills × times. */
  requests: number;
}

/**
 * The `p_execute_all` line sending the most requests at once (skills listed × TIMES;
 * its repeats run one after another). `skillCountAt` gives the skills listed when line
 * `index` runs; by default the simulated count. Undefined without `p_execute_all`.
 */
export function parallelPeak(
  script: Script,
  skillCountAt?: (index: number, line: ScriptLine) => number,
): ParallelPeak | undefined {
  const counts = skillCountAt ? undefined : simulateSkillCounts(script);
  let peak: ParallelPeak | undefined;
  script.lines.forEach((line, index) => {
    if (line.command.kind !== 'p_execute_all') return;
    const skills = skillCountAt ? skillCountAt(index, line) : counts![index]!;
    const times = line.command.times;
    if (!peak || skills * times > peak.requests) {
      peak = { index, line, skills, times, requests: skills * times };
    }
  });
  return peak;
}

/** The most requests one line sends at once (0 without `p_execute_all`), to size the HTTP pool. */
export function maxParallelRequests(
  script: Script,
  skillCountAt?: (index: number, line: ScriptLine) => number,
): number {
  return parallelPeak(script, skillCountAt)?.requests ?? 0;
}

/** Command runs including repeats (`4 add_py` counts 4). */
export function commandExecutions(script: Script): number {
  return script.lines.reduce((sum, l) => sum + l.repeat, 0);
}

/** The summary `kernel-bench check` prints for one script. */
export function describeScript(script: Script): string {
  const states = simulateSkills(script);
  const deployed = states.at(-1)?.deployedByKind ?? {};
  const kinds = Object.entries(deployed).map(([kind, n]) => `${kind} ${n}`);
  const peak = parallelPeak(script);
  const rows = script.lines.map((l, i) => [
    String(l.line),
    l.text,
    String(states[i]!.before),
    String(states[i]!.after),
    l.command.kind === 'p_execute_all' ? String(states[i]!.before * l.command.times) : '',
  ]);
  return [
    `script ${script.filename}`,
    `  hash: ${script.hash}`,
    `  entries: ${script.lines.length} (plus the final stop)`,
    `  command executions: ${commandExecutions(script)} (repeats counted)`,
    `  skills deployed: ${kinds.length > 0 ? kinds.join(', ') : 'none'}`,
    `  max parallel requests: ${
      peak
        ? `${peak.requests} (line ${peak.line.line}: ${peak.skills} skills x ${peak.times})`
        : '0 (no p_execute_all)'
    }`,
    '  skills by line (estimated from the script; the kernel may list deleted skills until its next rescan):',
    markdownTable([['line', 'cmd', 'skills before', 'skills after', 'requests at once'], ...rows], {
      align: ['r', 'l', 'r', 'r', 'r'],
    }),
  ].join('\n');
}
