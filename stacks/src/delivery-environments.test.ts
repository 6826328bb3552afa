import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '@docflow/infra';

const nxJson = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'nx.json'), 'utf8')) as {
  plugins: (string | { plugin: string; options?: { environments?: string[] } })[];
};

describe('the delivery targets (nx.json plugin) and the environment table', () => {
  it('offer one -c configuration per environment of the table, in table order', () => {
    const delivery = nxJson.plugins.find((plugin) => typeof plugin === 'object' && plugin.plugin.endsWith('libs/delivery/src/nx/plugin.mjs'));
    expect(typeof delivery === 'object' ? delivery.options?.environments : undefined).toEqual(ENVIRONMENTS.map((env) => env.name));
  });
});
