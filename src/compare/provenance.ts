// What a run measured, apart from its script: the kernel binary, the API it
// spoke, emulated or real, and the run settings. Two runs that differ here
// measure different things; compare says so in a note, and a baseline refuses
// to mix them.
import type { RunSettings } from '../runlog/types.ts';
import type { Run } from './rows.ts';

/** The part of a run that must match for its figures to be comparable. */
export type Provenance = Pick<Run['binary'], 'hash' | 'api' | 'emulated' | 'settings'>;

/** One field that differs: a readable name and both values as text. */
export interface Difference {
  /** e.g. `kernel hash`, `API`, `settings.update_interval`, `settings.env.KB_EMU_LOAD_MS`. */
  field: string;
  a: string;
  b: string;
}

const ABSENT = '(not set)';

/**
 * Fields in which `y` differs from `x`. Only what both record is compared:
 * a legacy log has no API or settings, and an unknown value is not a
 * difference (a null kernel hash neither).
 */
export function provenanceDifferences(x: Provenance, y: Provenance): Difference[] {
  const out: Difference[] = [];
  if (x.hash && y.hash && x.hash !== y.hash) {
    out.push({ field: 'kernel hash', a: x.hash.slice(0, 12), b: y.hash.slice(0, 12) });
  }
  if (x.emulated !== y.emulated) {
    const kind = (e: boolean) => (e ? 'emulated' : 'real');
    out.push({ field: 'kernel', a: kind(x.emulated), b: kind(y.emulated) });
  }
  if (x.api && y.api && x.api !== y.api) out.push({ field: 'API', a: x.api, b: y.api });
  if (x.settings && y.settings) out.push(...settingsDifferences(x.settings, y.settings));
  return out;
}

function settingsDifferences(x: RunSettings, y: RunSettings): Difference[] {
  const out: Difference[] = [];
  const scalar = (name: string, a: unknown, b: unknown) => {
    if (a !== b) out.push({ field: `settings.${name}`, a: text(a), b: text(b) });
  };
  // The interval as a number: `1s` and `1000ms` are the same setting.
  if (x.update_interval_ms !== y.update_interval_ms) {
    scalar('update_interval', x.update_interval, y.update_interval);
  }
  scalar('request_timeout_ms', x.request_timeout_ms, y.request_timeout_ms);
  // Recorded since 2026-12: older logs and baselines lack it, which is no difference.
  if (x.runtime !== undefined && y.runtime !== undefined) scalar('runtime', x.runtime, y.runtime);
  scalar('discover_timeout_ms', x.discover_timeout_ms, y.discover_timeout_ms);
  for (const name of union(x.env, y.env)) {
    scalar(`env.${name}`, x.env?.[name], y.env?.[name]);
  }
  const redacted = (s: RunSettings) => [...(s.env_redacted ?? [])].sort().join(', ') || undefined;
  scalar('env_redacted', redacted(x), redacted(y));
  // A template is the same when its bytes are; its path differs between machines.
  for (const kind of union(x.templates, y.templates)) {
    const a = x.templates?.[kind];
    const b = y.templates?.[kind];
    const same = a && b ? (a.sha1 && b.sha1 ? a.sha1 === b.sha1 : a.path === b.path) : a === b;
    if (!same) {
      out.push({ field: `settings.templates.${kind}`, a: template(a), b: template(b) });
    }
  }
  return out;
}

function union(x: object | undefined, y: object | undefined): string[] {
  return [...new Set([...Object.keys(x ?? {}), ...Object.keys(y ?? {})])].sort();
}

function text(v: unknown): string {
  return v === undefined || v === null ? ABSENT : String(v);
}

function template(t: { path: string; sha1: string | null } | undefined): string {
  if (!t) return ABSENT;
  return t.sha1 ? `${t.path} (sha1 ${t.sha1.slice(0, 12)})` : `${t.path} (unreadable)`;
}

/** `kernel hash 753c4e8a… vs 0f1e…; settings.env.X 1 vs 2`. */
export function describeDifferences(diffs: readonly Difference[]): string {
  return diffs.map((d) => `${d.field} ${d.a} vs ${d.b}`).join('; ');
}
