// Reads the output of `npm test` and prints the summary line CI ends with: the number of tests
// that passed and failed across every project's vitest run, plus any Nx task (lint, typecheck,
// test) that failed without reaching a test count, so a red run never reads as "0 failed".
import { readFileSync } from 'node:fs';

const [logFile, npmStatus, seconds] = process.argv.slice(2);
const log = readFileSync(logFile, 'utf8').replace(/\u001b\[[0-9;]*m/g, '');

let passed = 0;
let failed = 0;
for (const match of log.matchAll(/^.*\bTests\s+(.*)\((\d+)\)\s*$/gm)) {
  const counts = match[1];
  passed += Number(/(\d+) passed/.exec(counts)?.[1] ?? 0);
  failed += Number(/(\d+) failed/.exec(counts)?.[1] ?? 0);
}

const failedTasks = [...log.matchAll(/^\s*-\s+(\S+:(?:lint|typecheck|test))\s*$/gm)].map((match) => match[1]);
const nonTestFailures = failedTasks.filter((task) => !task.endsWith(':test'));
if (failedTasks.length > 0) console.log(`failed Nx tasks: ${failedTasks.join(', ')}`);
if (Number(npmStatus) !== 0 && failed === 0 && failedTasks.length === 0) {
  console.log(`npm test exited with status ${npmStatus}`);
}
const extraFailures = nonTestFailures.length + (Number(npmStatus) !== 0 && failed === 0 && failedTasks.length === 0 ? 1 : 0);
console.log(`CI took ${seconds}s`);
console.log(`${passed} passed, ${failed + extraFailures} failed`);
process.exit(failed + extraFailures > 0 || Number(npmStatus) !== 0 ? 1 : 0);
