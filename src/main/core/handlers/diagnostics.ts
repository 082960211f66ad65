import path from 'node:path';
import { defaultDiagnosticsFile, logsFolderFor, writeDiagnosticsBundle } from '../health/diagnostics.ts';
import { tailLogs } from '../log/tail.ts';
import { knownSecretValues, secretScrubber } from '../secrets/known-values.ts';
import type { Handlers } from '../../../shared/contract.ts';
import { HandlerError } from './errors.ts';
import type { ConsoleRuntime } from './runtime.ts';

// Health for support staff: the log viewer (masked again on read), "open logs folder" where the
// platform can, and the diagnostics bundle — written to a file, answered with path and size.

type DiagnosticsChannels = 'logs.tail' | 'logs.openFolder' | 'health.diagnostics';

export function diagnosticsHandlers(rt: ConsoleRuntime): Pick<Handlers, DiagnosticsChannels> {
  const logsFolder = (): string => logsFolderFor(rt.contexts.current().dataDir);

  return {
    async 'logs.tail'({ lines, level, scope, search }) {
      const context = rt.contexts.current();
      const scrub = secretScrubber(await knownSecretValues(context.secrets, context.settings));
      const folder = logsFolder();
      const tail = await tailLogs(folder, { lines, minLevel: level, scope, search, mask: scrub });
      return { folder, ...tail, canOpenFolder: Boolean(rt.platform.openPath) };
    },

    async 'logs.openFolder'() {
      const folder = logsFolder();
      if (!rt.platform.openPath) {
        throw new HandlerError('unavailable', `Opening a folder needs the desktop app. The logs are in ${folder}.`);
      }
      try {
        await rt.platform.openPath(folder);
      } catch (error) {
        throw new HandlerError('unavailable', `The logs folder ${folder} could not be opened: ${error instanceof Error ? error.message : String(error)}`);
      }
      return { opened: true, folder };
    },

    async 'health.diagnostics'() {
      const context = rt.contexts.current();
      const now = rt.now();
      const suggested = defaultDiagnosticsFile(context.dataDir, now);
      let file = suggested;
      if (rt.platform.pickSaveFile) {
        const picked = await rt.platform.pickSaveFile({
          title: 'Save the diagnostics bundle',
          defaultPath: suggested,
          filters: [{ name: 'Diagnostics (JSON)', extensions: ['json'] }],
        });
        if (!picked) return { saved: false, path: null, bytes: 0, folder: path.dirname(suggested) };
        file = picked;
      }
      const written = await writeDiagnosticsBundle(context, { nowMs: now, file, scheduler: rt.platform.schedulerStatus?.() ?? null });
      return { saved: true, path: written.path, bytes: written.bytes, folder: path.dirname(written.path) };
    },
  };
}
