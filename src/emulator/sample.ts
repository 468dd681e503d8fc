// The benchmark skill every emulated skill runs: allocate, hold, free, greet.

import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_MEMORY_KB } from './config.ts';
import { allocateLikeSkill } from './memory.ts';
import { HttpError } from './skills.ts';

export interface SampleInput {
  topic: string;
  /** KiB to allocate. */
  memory: number;
  /** Milliseconds to hold it. */
  wait_time: number;
}

/** `topic` is required; `memory` and `wait_time` default to 0. Anything else is a 400. */
export function parseSampleInput(skill: string, input: unknown): SampleInput {
  const expected = 'an object {"topic": string, "memory": KB, "wait_time": ms}';
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new HttpError(
      400,
      `Input for ${skill}: expected ${expected}, got ${JSON.stringify(input)}`,
    );
  }
  const record = input as Record<string, unknown>;
  if (typeof record.topic !== 'string') {
    throw new HttpError(
      400,
      `Input for ${skill}: "topic" must be a string, got ${JSON.stringify(record.topic ?? null)}`,
    );
  }
  const count = (key: 'memory' | 'wait_time', max: number): number => {
    const value = record[key] ?? 0;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
      throw new HttpError(
        400,
        `Input for ${skill}: "${key}" must be an integer from 0 to ${max}, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
  // A day of waiting is far beyond any benchmark; the cap keeps timers sane.
  return {
    topic: record.topic,
    memory: count('memory', MAX_MEMORY_KB),
    wait_time: count('wait_time', 86_400_000),
  };
}

export interface SampleResult {
  /** The JSON string the skill answers. */
  text: string;
  /** Bytes it allocated (and has dropped by the time this returns). */
  bytes: number;
}

export async function runSample(input: SampleInput): Promise<SampleResult> {
  // Only this frame references the memory, so it is garbage once this returns.
  const allocation = allocateLikeSkill(input.memory);
  if (input.wait_time > 0) await sleep(input.wait_time);
  const { chunks, bytes } = allocation;
  const note = `(held ${input.memory} KB in ${chunks} chunk${chunks === 1 ? '' : 's'} for ${input.wait_time} ms)`;
  return { text: `Hello ${input.topic} ${note}`, bytes };
}
