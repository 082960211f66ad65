import fs from 'node:fs';
import path from 'node:path';
import type { BrowserWindow, Rectangle } from 'electron';
import { z } from 'zod';

// Window size and position remembered between launches in a small JSON file in the user-data
// folder. Pure parts (read, fit to the current displays) are separate from the one function that
// listens to a BrowserWindow, which takes the window as a parameter.

export const WINDOW_STATE_FILE = 'window-state.json';

const stateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof stateSchema>;

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 820, maximized: false };

/** The saved state, or the defaults when there is none or it is unreadable (never throws). */
export function loadWindowState(file: string, defaults: WindowState = DEFAULT_WINDOW_STATE): WindowState {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : defaults;
  } catch {
    return defaults;
  }
}

/** Temp file + rename, so a crash mid-write never leaves half a file. */
export function saveWindowState(file: string, state: WindowState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state)}\n`);
  fs.renameSync(tmp, file);
}

/**
 * Makes a saved state usable on the displays attached now: a window that was on a monitor since
 * unplugged is centred on the primary display (x/y dropped), and a size larger than any work area
 * is shrunk to fit. At least `visible` pixels of the title bar must be on some display.
 */
export function fitToDisplays(state: WindowState, workAreas: Rectangle[], min = { width: 960, height: 600 }, visible = 80): WindowState {
  const largest = workAreas.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a), workAreas[0] ?? { x: 0, y: 0, width: state.width, height: state.height });
  const width = Math.max(Math.min(state.width, largest.width), Math.min(min.width, largest.width));
  const height = Math.max(Math.min(state.height, largest.height), Math.min(min.height, largest.height));
  const fitted: WindowState = { width, height, maximized: state.maximized };
  if (state.x === undefined || state.y === undefined) return fitted;
  const { x, y } = state;
  const onScreen = workAreas.some(
    (area) => x + width - visible >= area.x && x + visible <= area.x + area.width && y >= area.y && y + visible <= area.y + area.height,
  );
  return onScreen ? { ...fitted, x, y } : fitted;
}

/** Saves the window's normal bounds (not the maximised ones) on move/resize, debounced, and on close. */
export function trackWindowState(window: BrowserWindow, file: string, debounceMs = 500): void {
  let timer: NodeJS.Timeout | null = null;
  const save = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (window.isDestroyed()) return;
    const bounds = window.getNormalBounds();
    try {
      saveWindowState(file, { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height, maximized: window.isMaximized() });
    } catch {
      // A read-only profile must not break the window; the size is simply not remembered.
    }
  };
  const later = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, debounceMs);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) window.on(event as 'resize', later);
  window.on('close', save);
}
