// Prints the plain "N passed, N failed[, N skipped]" line CI reads, from Vitest's JSON report.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.tmp/vitest.json';
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const failedSuites = (report.testResults ?? []).filter(
  (r) => r.status === 'failed' && !(r.assertionResults ?? []).length,
);
const passed = report.numPassedTests ?? 0;
// Unhandled errors fail the run (report.success is false) even when every test passed: count them as a failure.
const unhandled =
  report.success === false && (report.numFailedTests ?? 0) + failedSuites.length === 0 ? 1 : 0;
const failed = (report.numFailedTests ?? 0) + failedSuites.length + unhandled;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
