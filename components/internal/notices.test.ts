import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NoticeList } from './notices.ts';

function setup(keep?: number) {
  const host = { updates: 0, requestUpdate() { this.updates++; }, addController() {}, removeController() {}, updateComplete: Promise.resolve(true) };
  return { host, notices: new NoticeList(host, keep) };
}

describe('NoticeList', () => {
  it('shows the newest four notices, oldest first, and re-renders its host on each change', () => {
    const { host, notices } = setup();
    for (const n of [1, 2, 3, 4, 5]) notices.notify('warning', `notice ${n}`, [`detail ${n}`]);
    assert.deepEqual(notices.items.map((n) => n.text), ['notice 2', 'notice 3', 'notice 4', 'notice 5']);
    assert.deepEqual(notices.items[0]!.details, ['detail 2']);
    assert.equal(host.updates, 5);
  });

  it('dismisses a notice by its id, and ids stay unique after dismissals', () => {
    const { notices } = setup();
    const a = notices.notify('error', 'a');
    const b = notices.notify('info', 'b', [], [{ label: 'Restore', run: () => {} }]);
    notices.dismiss(a);
    const c = notices.notify('info', 'c');
    assert.notEqual(c, b);
    assert.deepEqual(notices.items.map((n) => [n.id, n.text]), [[b, 'b'], [c, 'c']]);
    assert.deepEqual(notices.items[0]!.actions!.map((x) => x.label), ['Restore']);
  });

  it('keeps at most `keep` notices, even one', () => {
    const { notices } = setup(1);
    notices.notify('info', 'a');
    notices.notify('info', 'b');
    assert.deepEqual(notices.items.map((n) => n.text), ['b']);
  });
});
