// @ts-check
/**
 * Runtime input of the cached `synth` target (nx.json plugin, libs/delivery/src/nx/plugin.mjs):
 * prints what changes the synthesized output besides the workspace's own files, so that Nx hashes
 * it: the DOCFLOW_* settings stacks/main.ts reads (state buckets, repository, ...), and, when
 * DOCFLOW_DELIVERY_DIR points at another cdktf app (the delivery fixture), that folder's files.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const settings = Object.entries(process.env)
  .filter(([name]) => (name.startsWith('DOCFLOW_') && name !== 'DOCFLOW_DELIVERY_RUN') || name === 'CDKTF_OUTDIR')
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, value]) => `${name}=${value}`);

const dir = process.env['DOCFLOW_DELIVERY_DIR'];
if (dir) {
  const hash = createHash('sha256');
  /** @param {string} folder */
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === 'cdktf.out' || entry.name.startsWith('.') || entry.name.includes('.tfstate')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(path).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(dir);
  settings.push(`files of ${dir}: ${hash.digest('hex')}`);
}
console.log(settings.join('\n'));
