// Entry point of the kernel-bench command (bundled as dist/cli.js).
import { main } from './program.ts';

// exitCode rather than exit(): pending output is flushed, and a handle left
// open by mistake shows up as a hang in tests instead of being hidden.
process.exitCode = await main(process.argv);
