// Keeps package-lock.json acceptable to `npm ci` (runs as the root postinstall).
//
// The registry docflow installs from has nx 24's native binaries only for linux-gnu. npm leaves the
// other platforms' optional packages (@nx/nx-darwin-arm64@24.x, ...) out of the lockfile, and
// `npm ci` then refuses the lock as out of sync. This records them as what they are: optional,
// platform-restricted packages. npm ci skips them on a machine of another platform without
// fetching them, and fetches them where they are needed and exist (the public registry).
// Idempotent: a complete lockfile is left untouched. See docs/decisions.md.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCKFILE = new URL('../package-lock.json', import.meta.url);
const PLATFORMS = {
  'darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  'darwin-x64': { os: ['darwin'], cpu: ['x64'] },
  'freebsd-x64': { os: ['freebsd'], cpu: ['x64'] },
  'linux-arm-gnueabihf': { os: ['linux'], cpu: ['arm'] },
  'linux-arm64-gnu': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  'linux-arm64-musl': { os: ['linux'], cpu: ['arm64'], libc: ['musl'] },
  'linux-x64-gnu': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'linux-x64-musl': { os: ['linux'], cpu: ['x64'], libc: ['musl'] },
  'win32-arm64-msvc': { os: ['win32'], cpu: ['arm64'] },
  'win32-x64-msvc': { os: ['win32'], cpu: ['x64'] },
};

let lock;
try {
  lock = JSON.parse(readFileSync(LOCKFILE, 'utf8'));
} catch {
  process.exit(0); // no lockfile (yet): nothing to complete
}
const packages = lock.packages ?? {};
const nx = packages['node_modules/nx'];
const added = [];
for (const [name, version] of Object.entries(nx?.optionalDependencies ?? {})) {
  const path = `node_modules/${name}`;
  if (packages[path]?.version === version) continue;
  const platform = PLATFORMS[name.replace(/^@nx\/nx-/, '')];
  if (platform === undefined) continue;
  // npm's own key order (version, then alphabetical), so a later `npm install` leaves the entry as is
  const fields = { ...platform, dev: true, license: 'MIT', optional: true };
  packages[path] = { version, ...Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1))) };
  added.push(`${name}@${version}`);
}
if (added.length > 0) {
  lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
  writeFileSync(LOCKFILE, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`package-lock.json: recorded ${added.length} optional platform packages of nx (${added.join(', ')})`);
}
