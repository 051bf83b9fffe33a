// A @web/test-runner reporter that writes {passed, failed, skipped} to a JSON file so scripts/test.mjs
// can print one summary line for the whole suite.
import { writeFileSync } from 'node:fs';

function count(suite, acc) {
  if (!suite) return acc;
  for (const t of suite.tests ?? []) {
    if (t.skipped) acc.skipped += 1;
    else if (t.passed) acc.passed += 1;
    else acc.failed += 1;
  }
  for (const s of suite.suites ?? []) count(s, acc);
  return acc;
}

export function countingReporter(file) {
  return {
    onTestRunFinished({ sessions }) {
      const acc = { passed: 0, failed: 0, skipped: 0 };
      for (const s of sessions) {
        count(s.testResults, acc);
        // A file that failed to load or threw outside a test counts as one failure.
        if (!s.passed && (s.errors?.length ?? 0) > 0) acc.failed += 1;
      }
      if (file) writeFileSync(file, JSON.stringify(acc));
    },
  };
}
