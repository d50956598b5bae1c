import type { Target } from '../target.ts';

/**
 * Control-API helpers for scenarios (twin targets only). The clock is global to a twin, so a
 * scenario that moves it puts it back when done.
 */
export async function withClockAdvanced<T>(target: Target, duration: string, fn: () => Promise<T>): Promise<T> {
  const before = await target.admin.get('/__admin/clock');
  if (before.status !== 200) throw new Error(`cannot read the clock: ${before.status}`);
  const realStart = Date.now();
  const moved = await target.admin.post('/__admin/clock/advance').send({ duration });
  if (moved.status !== 200) throw new Error(`cannot advance the clock: ${moved.status} ${moved.text}`);
  try {
    return await fn();
  } finally {
    const now = new Date(Date.parse(before.body.now) + (Date.now() - realStart)).toISOString();
    await target.admin.put('/__admin/clock').send({ now });
  }
}
