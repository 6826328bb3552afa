/**
 * Measures every target once per round and collects the results per target. The order rotates
 * from round to round (with two targets: alternates), so a drift in machine load, or a warmer
 * cache, does not always favour the same one.
 */
export async function rotatingRounds<Target extends string, Result>(
  targets: readonly Target[],
  rounds: number,
  measure: (target: Target, round: number) => Result | Promise<Result>,
): Promise<Record<Target, Result[]>> {
  const results = Object.fromEntries(targets.map((target) => [target, [] as Result[]])) as Record<Target, Result[]>;
  for (let round = 0; round < rounds; round += 1) {
    const order = [...targets.slice(round % targets.length), ...targets.slice(0, round % targets.length)];
    for (const target of order) results[target].push(await measure(target, round));
  }
  return results;
}
