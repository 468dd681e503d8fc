// Types of scripts/build.mjs, for the tests and benchmarks that bundle with it.
export declare const ENTRIES: Record<'index' | 'cli' | 'emulator', string>;
/** Builds `entries` (default: all three) into `outdir`, replacing what was there. */
export declare function bundle(outdir: string, entries?: Record<string, string>): Promise<void>;
