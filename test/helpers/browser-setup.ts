// Imported first by every browser test file (test/browser-test-files.test.ts checks that).
//
// @web/test-runner sends a failed assertion's `actual` and `expected` to its server through structuredClone. A
// DOM element there (`expect(part(el, 'progress')).to.equal(null)` failing) throws a DataCloneError inside the
// runner, which then never reports the file as finished: the run stalls until the browser is killed ("browser
// disconnected") and the real failure is never shown. This root hook replaces such values by a description, so
// that a failing test is reported as the failure it is.

function describeValue(value: unknown): string {
  if (typeof Element !== 'undefined' && value instanceof Element) return value.outerHTML.replace(/<!--\?lit\$\d+\$-->/g, '').slice(0, 500);
  if (typeof Node !== 'undefined' && value instanceof Node) return `${value.nodeName} ${value.textContent?.slice(0, 200) ?? ''}`;
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

afterEach(function () {
  const err = this.currentTest?.err;
  if (!err) return;
  for (const key of ['actual', 'expected'] as const) {
    if (!(key in err)) continue;
    try {
      structuredClone(err[key]);
    } catch {
      err[key] = describeValue(err[key]);
    }
  }
});
