import { BrowserWindow, dialog } from 'electron';

// Native dialogs, offered to the handlers as platform hooks (the browser console has none).

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
