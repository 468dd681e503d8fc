// `compare --format json`: the Comparison itself (see types.ts for every
// field), which is also what the text and markdown renderers read.
import type { Comparison } from './types.ts';

export function renderJson(c: Comparison): string {
  return JSON.stringify(c, null, 2) + '\n';
}
