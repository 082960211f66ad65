import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ExportCancelledError, ExportError } from './types.ts';

// Exports never leave a half-written file under the requested name: they write to a hidden
// temporary file in the same folder (so the final rename is atomic on one file system) and
// rename it on success, or delete it on failure or cancel.

/** Fails early, with a readable reason, when the target folder cannot take the file. */
export async function assertWritableTarget(out: string): Promise<void> {
  const dir = path.dirname(path.resolve(out));
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(dir);
  } catch {
    throw new ExportError(`Cannot write the export to ${dir}: the folder does not exist.`);
  }
  if (!stat.isDirectory()) throw new ExportError(`Cannot write the export to ${dir}: it is not a folder.`);
  try {
    await fs.promises.access(dir, fs.constants.W_OK);
  } catch {
    throw new ExportError(`Cannot write the export to ${dir}: the folder is not writable (check its permissions or choose another folder).`);
  }
  const existing = await fs.promises.stat(out).catch(() => null);
  if (existing?.isDirectory()) throw new ExportError(`Cannot write the export to ${out}: a folder has that name.`);
}

export function temporaryPathFor(out: string): string {
  const resolved = path.resolve(out);
  return path.join(path.dirname(resolved), `.${path.basename(resolved)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.partial`);
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return Boolean(signal?.aborted) || (error instanceof Error && error.name === 'AbortError');
}

/**
 * Runs `write(tempPath)` and moves the result to `out`. On any failure the temporary file is
 * removed; a cancel becomes ExportCancelledError, a file-system error a readable ExportError.
 */
export async function writeAtomically<T>(out: string, signal: AbortSignal | undefined, write: (tempPath: string) => Promise<T>): Promise<T> {
  await assertWritableTarget(out);
  const temp = temporaryPathFor(out);
  try {
    if (signal?.aborted) throw new ExportCancelledError();
    const result = await write(temp);
    if (signal?.aborted) throw new ExportCancelledError();
    await fs.promises.rename(temp, path.resolve(out));
    return result;
  } catch (error) {
    await fs.promises.rm(temp, { force: true }).catch(() => undefined);
    if (error instanceof ExportCancelledError || isAbort(error, signal)) throw new ExportCancelledError();
    throw explainFileError(error, out);
  }
}

function explainFileError(error: unknown, out: string): unknown {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'ENOSPC':
      return new ExportError(`Cannot write the export to ${out}: the disk is full.`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new ExportError(`Cannot write the export to ${out}: permission denied (is the file open in another program?).`, { cause: error });
    case 'EROFS':
      return new ExportError(`Cannot write the export to ${out}: the file system is read-only.`, { cause: error });
    default:
      return error;
  }
}
