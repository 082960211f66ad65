import { describe, expect, test } from 'vitest';
import type { Notification as ElectronNotification } from 'electron';
import { createNativeNotifier, notificationFor, pageForNotice } from '../../../src/main/electron/notifications.ts';
import type { Notice } from '../../../src/main/core/scheduler/notifier.ts';

const failed: Notice = { kind: 'run-failed', title: 'Nightly run failed', body: 'The LLM endpoint refused the API key (401). Check the key in Settings.', runId: 12 };
const completed: Notice = { kind: 'run-completed', title: 'Nightly run completed', body: 'Run #13 for 2026-05-10: 40 analysed.', runId: 13 };

describe('notifications', () => {
  test('failures carry the reason and the run; completed runs only when chosen', () => {
    const prefs = { notifyOnFailure: true, notifyOnSuccess: false };
    expect(notificationFor(failed, prefs)).toEqual({
      title: 'Nightly run failed',
      body: 'Run #12: The LLM endpoint refused the API key (401). Check the key in Settings.',
      urgency: 'critical',
      silent: false,
    });
    expect(notificationFor(completed, prefs)).toBeNull();
    expect(notificationFor(completed, { ...prefs, notifyOnSuccess: true })).toMatchObject({ body: 'Run #13 for 2026-05-10: 40 analysed.', silent: true });
    expect(notificationFor(failed, { notifyOnFailure: false, notifyOnSuccess: true })).toBeNull();
  });

  test('long reasons are shortened', () => {
    const content = notificationFor({ ...failed, body: 'x'.repeat(1000) }, { notifyOnFailure: true, notifyOnSuccess: false });
    expect(content!.body.length).toBe(240);
    expect(content!.body.endsWith('…')).toBe(true);
  });

  test('the native notifier shows through the Notification class it is given', () => {
    const shown: Array<Record<string, unknown>> = [];
    const clicks: Notice[] = [];
    class FakeNotification {
      static isSupported(): boolean {
        return true;
      }
      private handler: (() => void) | null = null;
      constructor(readonly options: Record<string, unknown>) {}
      on(_event: string, handler: () => void): this {
        this.handler = handler;
        return this;
      }
      show(): void {
        shown.push(this.options);
        this.handler?.();
      }
    }
    const notifier = createNativeNotifier(
      { Notification: FakeNotification as unknown as typeof ElectronNotification },
      { prefs: () => ({ notifyOnFailure: true, notifyOnSuccess: false }), onClick: (n) => clicks.push(n) },
    );
    notifier.notify(failed);
    notifier.notify(completed);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ title: 'Nightly run failed', urgency: 'critical' });
    expect(clicks).toEqual([failed]);
    expect(pageForNotice(failed)).toBe('runs');
    expect(pageForNotice({ kind: 'health-unhealthy', title: '', body: '' })).toBe('health');
    expect(pageForNotice({ kind: 'export-failed', title: '', body: '' })).toBe('reports');
  });
});
