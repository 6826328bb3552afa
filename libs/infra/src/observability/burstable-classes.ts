/**
 * The burstable RDS classes docflow may use (db.t3, db.t4g): memory and CPU credits earned per hour,
 * from the EC2 T3/T4g instance types they run on (AWS "Burstable performance instances", credit
 * table). RDS runs them in Unlimited mode: past the balance, CPU is billed, not throttled.
 */
export interface BurstableClass {
  readonly memoryGiB: number;
  readonly creditsPerHour: number;
}

const SIZES: Readonly<Record<string, BurstableClass>> = {
  micro: { memoryGiB: 1, creditsPerHour: 12 },
  small: { memoryGiB: 2, creditsPerHour: 24 },
  medium: { memoryGiB: 4, creditsPerHour: 24 },
  large: { memoryGiB: 8, creditsPerHour: 36 },
  xlarge: { memoryGiB: 16, creditsPerHour: 96 },
  '2xlarge': { memoryGiB: 32, creditsPerHour: 192 },
};

/** The class's memory and credit rate when it is burstable (db.t*), undefined otherwise; an unknown db.t* size throws. */
export function burstableClass(instanceClass: string): BurstableClass | undefined {
  const match = /^db\.t(\d+)g?\.(.+)$/.exec(instanceClass);
  if (!match) return undefined;
  const [, generation, size] = match;
  const found = generation === '3' || generation === '4' ? SIZES[size ?? ''] : undefined;
  if (!found) {
    throw new Error(`burstableClass: "${instanceClass}" is a burstable class docflow has no memory and CPU credit figures for (known: db.t3.* and db.t4g.* ${Object.keys(SIZES).join(', ')})`);
  }
  return found;
}
