import { describe, expect, it } from 'vitest';
import { InflightSet } from './InflightSet.ts';

describe('InflightSet (the agent mailbox)', () => {
  it('is idle only with no events waiting and no work in flight, and describes what is in flight', async () => {
    const box = new InflightSet();
    expect(box.idle()).toBe(true);
    let finish!: () => void;
    void box.track('vmi a: waiting for the guest agent', new Promise<void>((r) => (finish = r)));
    expect(box.idle()).toBe(false);
    expect(box.describe()).toBe('vmi a: waiting for the guest agent');
    finish();
    await Promise.resolve();
    await Promise.resolve();
    expect(box.idle()).toBe(true);
  });

  it('next() wakes on an event, on work ending (returns []), and at the deadline', async () => {
    const box = new InflightSet();
    let finish!: () => void;
    void box.track('w', new Promise<void>((r) => (finish = r)));
    const waiting = box.next(Date.now() + 5000);
    box.emit({ type: 'running', uid: 'u' });
    expect(await waiting).toEqual([{ type: 'running', uid: 'u' }]);
    const second = box.next(Date.now() + 5000);
    finish();
    expect(await second).toEqual([]);
    void box.track('forever', new Promise(() => undefined));
    const t0 = Date.now();
    expect(await box.next(Date.now() + 50)).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
  });

  it('parked work (a held migration) does not keep it busy, until unparked', async () => {
    const box = new InflightSet();
    void box.track('migrate vmi a', new Promise(() => undefined));
    expect(box.idle()).toBe(false);
    const unpark = box.park();
    expect(box.idle()).toBe(true);
    expect(await box.next(Date.now() + 5000)).toEqual([]); // at once, not at the deadline
    unpark();
    unpark(); // once only
    expect(box.idle()).toBe(false);
  });
});
