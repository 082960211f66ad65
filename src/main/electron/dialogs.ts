import { BrowserWindow, dialog, shell } from 'electron';
import type { SaveFileOptions } from '../core/handlers/runtime.ts';

// Native dialogs and the file manager, offered to the handlers as platform hooks (the browser
// console has none).

export async function pickSqliteFile(): Promise<string | null> {
  const options: Electron.OpenDialogOptions = {
    title: 'Choose the Open WebUI database (webui.db)',
    properties: ['openFile'],
    filters: [
      { name: 'SQLite database', extensions: ['db', 'sqlite', 'sqlite3'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const window = BrowserWindow.getFocusedWindow();
  const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

/** "Save as" for an export; the dialog itself asks before replacing an existing file. */
export async function pickSaveFile(request: SaveFileOptions): Promise<string | null> {
  const options: Electron.SaveDialogOptions = {
    title: request.title,
    defaultPath: request.defaultPath,
    filters: request.filters,
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
  const window = BrowserWindow.getFocusedWindow();
  const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  return result.canceled || !result.filePath ? null : result.filePath;
}

/** Opens the file manager on the folder of a written export, with the file selected. */
export function showInFolder(file: string): void {
  shell.showItemInFolder(file);
}

/** Opens a folder (or file) with the OS; Electron answers an error text instead of throwing. */
export async function openPath(target: string): Promise<void> {
  const problem = await shell.openPath(target);
  if (problem) throw new Error(problem);
}
