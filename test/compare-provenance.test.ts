import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeBaseline, saveBaseline } from '../src/compare/baseline.ts';
import { compare } from '../src/compare/compare.ts';
import { renderJson } from '../src/compare/render-json.ts';
import { renderMarkdown } from '../src/compare/render-markdown.ts';
import { renderText } from '../src/compare/render-text.ts';
import { InputError } from '../src/errors.ts';
import { parseRunLog, readRunLog } from '../src/runlog/read.ts';
import { benchEntries, synthLog, synthSettings, type SynthLog } from './fixtures/compare/synth.ts';

const LOGS = join(import.meta.dirname, 'fixtures', 'logs');
let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kb-provenance-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function log(path: string, extra: Partial<SynthLog> = {}) {
  return parseRunLog(
    synthLog({ entries: benchEntries(), api: 'v1', settings: synthSettings(), ...extra }),
    path,
  );
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error.message;
  }
  assert.fail('expected a refusal');
}

test('compare notes every way the two sides were set up differently, in every renderer', () => {
  const a = log('/logs/a_run.log');
  const b = log('/logs/b_run.log', {
    kernelHash: 'f'.repeat(40),
    api: '2024',
    emulated: true,
    settings: synthSettings({
      update_interval: '100ms',
      update_interval_ms: 100,
      request_timeout_ms: 5000,
      env: { KB_EMU_LOAD_MS: '345' },
      templates: { py: { path: '/other/sample_py.wasm', sha1: 'b'.repeat(40) } },
    }),
  });
  const c = compare({ sides: [a, b] });
  const note = c.notes.find((n) => n.startsWith('a and b differ in '));
  assert.equal(
    note,
    'a and b differ in kernel hash kkkkkkkkkkkk vs ffffffffffff; kernel real vs emulated; ' +
      'API v1 vs 2024; settings.update_interval 1s vs 100ms; ' +
      'settings.request_timeout_ms 30000 vs 5000; ' +
      'settings.env.KB_EMU_LOAD_MS (not set) vs 345; ' +
      'settings.templates.py /repo/skills/sample_py.wasm (sha1 aaaaaaaaaaaa) vs ' +
      '/other/sample_py.wasm (sha1 bbbbbbbbbbbb): the differences include this, not only the change under test',
  );
  assert.equal(c.runs[1]!.kernel.api, '2024');
  assert.equal(c.runs[1]!.kernel.settings?.update_interval_ms, 100);
  assert.ok(renderText(c).includes(`  - ${note}`));
  assert.ok(
    renderMarkdown(c).includes('- a and b differ in kernel hash kkkkkkkkkkkk vs ffffffffffff'),
  );
  assert.ok((JSON.parse(renderJson(c)) as { notes: string[] }).notes.includes(note!));
});

test('same setup: no note; a moved template with the same bytes and 1s = 1000ms are the same', () => {
  const a = log('/logs/a_run.log');
  const b = log('/logs/b_run.log', {
    settings: synthSettings({
      update_interval: '1000ms',
      templates: { py: { path: '/elsewhere/sample_py.wasm', sha1: 'a'.repeat(40) } },
    }),
  });
  const c = compare({ sides: [a, b] });
  assert.deepEqual(
    c.notes.filter((n) => n.includes('differ')),
    [],
  );
});

test("the emulated kernel's Node.js is compared when both sides record it", () => {
  const on = (runtime: string | undefined, path: string) =>
    log(path, { emulated: true, settings: synthSettings(runtime ? { runtime } : {}) });
  const differ = (x: ReturnType<typeof log>, y: ReturnType<typeof log>) =>
    compare({ sides: [x, y] }).notes.filter((n) => n.includes(' differ in '));
  assert.deepEqual(differ(on('node v20.20.2', '/a_run.log'), on('node v24.21.0', '/b_run.log')), [
    'a and b differ in settings.runtime node v20.20.2 vs node v24.21.0: the differences include ' +
      'this, not only the change under test',
  ]);
  assert.deepEqual(
    differ(on('node v20.20.2', '/a_run.log'), on('node v20.20.2', '/b_run.log')),
    [],
  );
  // A log or baseline from before it was recorded says nothing about it.
  assert.deepEqual(differ(on(undefined, '/a_run.log'), on('node v24.21.0', '/b_run.log')), []);
});

test('legacy logs record no API or settings: only the kernel hash is compared', async () => {
  const c = compare({
    sides: [
      await readRunLog(join(LOGS, '241022_204217.730_run.log')),
      await readRunLog(join(LOGS, '241022_204217.737_run.log')),
    ],
  });
  assert.equal(c.runs[0]!.kernel.api, null);
  assert.equal(c.runs[0]!.kernel.settings, null);
  // These two legacy logs ran different kernel builds, which is all they record.
  assert.deepEqual(
    c.notes.filter((n) => n.includes(' differ in ')),
    [
      'a and b differ in kernel hash 753c4e8aaf00 vs 8f652eac0741: the differences include this, ' +
        'not only the change under test',
    ],
  );
});

test('several runs on one side that differ are reported as mixed', () => {
  const c = compare({
    sides: [
      { logs: [log('/logs/a1_run.log'), log('/logs/a2_run.log')] },
      {
        logs: [
          log('/logs/b1_run.log'),
          log('/logs/b2_run.log', { settings: synthSettings({ env: { X: '1' } }) }),
        ],
      },
    ],
  });
  assert.ok(
    c.notes.includes(
      'b mixes runs that differ: /logs/b1_run.log vs /logs/b2_run.log: settings.env.X (not set) vs 1',
    ),
    c.notes.join('\n'),
  );
  assert.equal(
    c.notes.some((n) => n.startsWith('a mixes')),
    false,
  );
});

test('baseline save refuses logs whose API or settings differ, naming both logs and the field', () => {
  assert.equal(
    refusal(() =>
      makeBaseline([log('/logs/r1_run.log'), log('/logs/r2_run.log', { api: '2024' })]),
    ),
    '/logs/r1_run.log and /logs/r2_run.log differ in API v1 vs 2024; ' +
      'a baseline holds runs of one kernel, API and settings',
  );
  assert.equal(
    refusal(() =>
      makeBaseline([
        log('/logs/r1_run.log'),
        log('/logs/r2_run.log', { settings: synthSettings({ request_timeout_ms: 1000 }) }),
      ]),
    ),
    '/logs/r1_run.log and /logs/r2_run.log differ in settings.request_timeout_ms 30000 vs 1000; ' +
      'a baseline holds runs of one kernel, API and settings',
  );
  const bare = parseRunLog(synthLog({ entries: benchEntries(), api: 'v1' }), '/logs/r3_run.log');
  assert.equal(
    refusal(() => makeBaseline([log('/logs/r1_run.log'), bare])),
    '/logs/r1_run.log and /logs/r3_run.log differ in settings recorded vs not recorded; ' +
      'a baseline holds runs of one kernel, API and settings',
  );
  assert.match(
    refusal(() =>
      makeBaseline([
        log('/logs/r1_run.log'),
        log('/logs/r2_run.log', { kernelHash: 'f'.repeat(40) }),
      ]),
    ),
    /^\/logs\/r2_run\.log ran kernel f{40} but \/logs\/r1_run\.log ran k{40}; a baseline holds runs of one kernel$/,
  );
});

test('baseline save keeps API and settings, and says "replaced" when it overwrites a file', async () => {
  const out = join(dir, 'baselines');
  const first = await saveBaseline([log('/logs/r1_run.log')], out);
  assert.equal(first.replaced, false);
  assert.equal(
    first.message,
    `saved ${first.path} (1 run, script hash ${first.baseline.script.hash}, kernel ${'k'.repeat(40)})`,
  );
  const second = await saveBaseline([log('/logs/r1_run.log'), log('/logs/r2_run.log')], out);
  assert.equal(second.path, first.path);
  assert.equal(second.replaced, true);
  assert.ok(
    second.message.startsWith(
      `replaced ${first.path} (2 runs, script hash ${first.baseline.script.hash}, kernel ${'k'.repeat(40)}; ` +
        `the previous baseline was 1 run(s) of kernel ${'k'.repeat(40)}, saved `,
    ),
    second.message,
  );
  const saved = JSON.parse(await readFile(first.path, 'utf8'));
  assert.equal(saved.provenance.api, 'v1');
  assert.equal(saved.provenance.settings.update_interval_ms, 1000);
  // The baseline carries its settings into a comparison.
  const c = compare({
    sides: [
      { baseline: saved, path: first.path },
      log('/logs/new_run.log', {
        settings: synthSettings({ update_interval: '2s', update_interval_ms: 2000 }),
      }),
    ],
  });
  assert.ok(
    c.notes.some((n) => n.startsWith('a and b differ in settings.update_interval 1s vs 2s')),
  );
});

test('an incomplete run: the total time row shows n/a as its percentage, in text and markdown', async () => {
  const a = await readRunLog(join(LOGS, '241022_204217.730_run.log'));
  const b = await readRunLog(join(LOGS, 'incomplete_run.log'));
  const c = compare({ sides: [a, b] });
  assert.equal(c.totals.sides[1]!.pct.took, null);
  assert.ok(c.notes.some((n) => n.includes('total time is not judged')));
  assert.match(renderText(c), /^total time \(ms\) +[\d,]+ +[\d,]+ +n\/a\b/m);
  assert.match(
    renderMarkdown(c),
    /^\| \*\*total time \(ms\)\*\* +\| +[\d,]+ +\| +[\d,]+ +\| n\/a +\|/m,
  );
  // Maximum rss is still a measured figure on both sides: its percentage stays.
  assert.match(renderText(c), /^maximum rss \(KB\) +[\d,]+ +[\d,]+ +\d+$/m);
});
