// Regenerates the README's inputs/outputs tables from action.yml, between
// `<!-- action-inputs:start -->` and `<!-- action-inputs:end -->`.
//   node scripts/readme-inputs.mjs          rewrite README.md
//   node scripts/readme-inputs.mjs --check  exit 1 when README.md is stale
// Without README.md (or without the markers) the tables go to
// action-inputs.md for merging by hand.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable } from 'markdown-table';
import * as prettier from 'prettier';
import { parse } from 'yaml';

export const START = '<!-- action-inputs:start -->';
export const END = '<!-- action-inputs:end -->';

const cell = (text) =>
  String(text ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();

const codeCell = (value) => {
  const text = String(value);
  if (text === '') return '_(empty)_';
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${cell(text)}${fence}`;
};

/** The markdown tables for an action.yml text. */
export function renderTables(actionYml) {
  const action = parse(actionYml);
  const inputs = Object.entries(action.inputs ?? {}).map(([name, i]) => [
    `\`${name}\``,
    cell(i.description),
    codeCell(i.default ?? ''),
  ]);
  const outputs = Object.entries(action.outputs ?? {}).map(([name, o]) => [
    `\`${name}\``,
    cell(o.description),
  ]);
  return [
    '<!-- Generated from action.yml by scripts/readme-inputs.mjs; do not edit by hand. -->',
    '',
    '### Inputs',
    '',
    markdownTable([['input', 'description', 'default'], ...inputs]),
    '',
    '### Outputs',
    '',
    markdownTable([['output', 'description'], ...outputs]),
  ].join('\n');
}

/**
 * README text with the section between the markers replaced, formatted by
 * prettier as `prettier --check` expects; null without markers.
 */
export async function updateReadme(readme, tables, readmePath) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return null;
  const text = `${readme.slice(0, start + START.length)}\n\n${tables}\n\n${readme.slice(end)}`;
  const config = (await prettier.resolveConfig(readmePath)) ?? {};
  return prettier.format(text, { ...config, filepath: readmePath });
}

async function main() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const tables = renderTables(readFileSync(join(root, 'action.yml'), 'utf8'));
  const readmePath = join(root, 'README.md');
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : null;
  const updated = readme === null ? null : await updateReadme(readme, tables, readmePath);
  if (updated === null) {
    writeFileSync(join(root, 'action-inputs.md'), tables + '\n');
    console.error(`README.md or its ${START} markers missing: wrote action-inputs.md instead`);
    process.exit(process.argv.includes('--check') ? 1 : 0);
  }
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      console.error(
        'README.md inputs/outputs differ from action.yml; run node scripts/readme-inputs.mjs',
      );
      process.exit(1);
    }
    return;
  }
  if (updated !== readme) writeFileSync(readmePath, updated);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
