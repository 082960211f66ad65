import os from 'node:os';
import path from 'node:path';
import { exportSalt, importSalt, readSaltFile, SaltTransferError, saltState } from '../app/salt-transfer.ts';
import type { Handlers } from '../../../shared/contract.ts';
import type { ErrorCode, SaltStatusDto } from '../../../shared/types.ts';
import { HandlerError } from './errors.ts';
import type { ConsoleRuntime } from './runtime.ts';

// Settings → Privacy: the salt's fingerprint, exporting the salt to a file for the other
// workstations and importing theirs. The salt never crosses to the renderer: answers carry
// paths and fingerprints only, and no error message repeats what was pasted.

type SaltChannels = 'salt.status' | 'salt.export' | 'salt.import';

const CODES: Record<SaltTransferError['kind'], ErrorCode> = {
  format: 'validation',
  file: 'validation',
  mismatch: 'salt_mismatch',
  unreachable: 'connection',
  'no-salt': 'salt_mismatch',
  environment: 'config',
};

function translate(error: unknown): never {
  if (error instanceof SaltTransferError) throw new HandlerError(CODES[error.kind], error.message);
  throw error;
}

export function saltHandlers(rt: ConsoleRuntime): Pick<Handlers, SaltChannels> {
  const ctx = () => rt.contexts.current();

  async function status(): Promise<SaltStatusDto> {
    const context = ctx();
    const state = await saltState(context);
    const keychain = context.secrets.status();
    return {
      set: state.set,
      fingerprint: state.fingerprint,
      keychain: { available: keychain.available, message: keychain.message },
      database: state.database,
      saveDialog: Boolean(rt.platform.pickSaveFile),
    };
  }

  return {
    async 'salt.status'() {
      return status();
    },

    async 'salt.export'({ path: typed }) {
      const context = ctx();
      let file = typed;
      let overwrite = false;
      if (file === undefined) {
        if (!rt.platform.pickSaveFile) {
          throw new HandlerError('validation', 'Enter the full path of the file to write the salt to (choosing a file needs the desktop app).');
        }
        const picked = await rt.platform.pickSaveFile({
          title: 'Export the salt (a secret)',
          defaultPath: path.join(os.homedir(), 'cogniforce-salt.txt'),
          filters: [{ name: 'Salt file', extensions: ['txt'] }],
        });
        if (!picked) return { saved: false, path: null, fingerprint: null };
        file = picked;
        // The native dialog has asked before replacing a file.
        overwrite = true;
      }
      const written = await exportSalt(context, file, { overwrite, nowMs: rt.now() }).catch(translate);
      return { saved: true, path: written.path, fingerprint: written.fingerprint };
    },

    async 'salt.import'({ salt, path: file }) {
      if (rt.jobs.active() !== null || rt.platform.runInProgress?.() === true) {
        throw new HandlerError('busy', 'A run is in progress: import the salt once it has finished or been cancelled.');
      }
      const text = file !== undefined ? await readSaltFile(file).catch(translate) : (salt ?? '');
      const outcome = await importSalt(ctx(), text).catch(translate);
      // Names are resolved by hashing the source's user ids with the salt.
      rt.users.invalidate();
      return { changed: outcome.changed || outcome.rekeyed, message: outcome.message, status: await status() };
    },
  };
}
