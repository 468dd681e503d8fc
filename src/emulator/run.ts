// Runs the emulated kernel until SIGTERM or SIGINT. Shared by the emulator's
// own entry point and the CLI's `kernel-bench emulator` subcommand.

import { setTimeout as sleep } from 'node:timers/promises';
import { readConfig } from './config.ts';
import { Logger } from './log.ts';
import { canRelease } from './memory.ts';
import { EmulatedKernel } from './server.ts';

/**
 * Reads the configuration (InputError when invalid: exit 2), starts serving,
 * and resolves once a signal has shut everything down; the caller then exits
 * with 0. A crash knob exits the process itself with 101.
 */
export async function runEmulator(
  env: Record<string, string | undefined> = process.env,
): Promise<void> {
  const config = readConfig(env);
  const log = new Logger(config.logLevel);
  const kernel = new EmulatedKernel(config, log);
  log.info(
    'kernel',
    `Starting kernel (emulated by kernel-bench, node ${process.version}, pid ${process.pid})`,
  );
  if (!canRelease) {
    log.warn(
      'kernel',
      'Started without --expose-gc: freed memory returns to the OS only when V8 collects on its own',
    );
  }
  const { port, metricsPort } = await kernel.start();
  const { host } = config.address;
  const shown = (h: string) => (h.includes(':') ? `[${h}]` : h);
  log.info('namespace_watcher', `Watching ${config.skillsDir} every ${config.updateIntervalMs} ms`);
  if (config.metricsAddress) {
    log.info(
      'metrics',
      `Metrics on http://${shown(config.metricsAddress.host)}:${metricsPort}/metrics`,
    );
  }
  log.info('shell', `Listening on http://${shown(host)}:${port}`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (signal === 'SIGTERM' && config.ignoreSigterm) {
        log.warn('kernel', 'Received SIGTERM; ignoring it (KB_EMU_IGNORE_SIGTERM)');
        return;
      }
      if (stopping) return;
      stopping = true;
      log.info('kernel', `Received ${signal}, shutting down`);
      void sleep(config.stopDelayMs)
        .then(() => kernel.stop())
        .then(() => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          log.info('kernel', 'Shutdown complete');
          resolve();
        });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
