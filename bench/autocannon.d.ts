// autocannon ships no types; only what bench/throughput.ts uses.
declare module 'autocannon' {
  interface Options {
    url: string;
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    /** Stop after this many requests (noticed only at the next 1 s sample tick). */
    amount?: number;
    /** Run for this many seconds. */
    duration?: number;
  }
  interface Result {
    requests: { total: number; average: number };
    /** Seconds, to 10 ms. */
    duration: number;
    errors: number;
    non2xx: number;
  }
  export default function autocannon(options: Options): Promise<Result>;
}
