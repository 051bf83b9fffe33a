import '../../test/helpers/browser-setup.ts';
import { expect } from '@esm-bundle/chai';
import { LitElement } from 'lit';
import { Subject } from 'rxjs';
import { SessionController } from './session-controller.ts';

/** A stand-in session: one observable whose observers can be counted. */
class FakeSession {
  readonly changes = new Subject<number>();
}

class SessionProbe extends LitElement {
  static override properties = { session: { attribute: false } };
  declare session: FakeSession | null;
  seen: number[] = [];
  changes: (FakeSession | null)[] = [];
  readonly controller = new SessionController<FakeSession>(this, {
    session: () => this.session,
    changed: (s) => this.changes.push(s),
    attach: (s) => [s.changes.subscribe((n) => this.seen.push(n))],
  });
  constructor() {
    super();
    this.session = null;
  }
}
customElements.define('delineo-test-session-probe', SessionProbe);

describe('SessionController', () => {
  it('subscribes on connect, switches with the session and unsubscribes on disconnect', async () => {
    const a = new FakeSession();
    const b = new FakeSession();
    const probe = document.createElement('delineo-test-session-probe') as SessionProbe;
    probe.session = a;
    expect(a.changes.observed, 'nothing before it is connected').to.equal(false);
    document.body.append(probe);
    await probe.updateComplete;
    expect(a.changes.observed).to.equal(true);
    expect(probe.controller.attached).to.equal(a);
    a.changes.next(1);

    probe.session = b;
    await probe.updateComplete;
    expect(a.changes.observed, 'the old session is left').to.equal(false);
    expect(b.changes.observed).to.equal(true);
    a.changes.next(2);
    b.changes.next(3);
    expect(probe.seen).to.deep.equal([1, 3]);

    probe.remove();
    expect(b.changes.observed, 'no subscription survives removal').to.equal(false);
    expect(probe.controller.attached).to.equal(null);
    document.body.append(probe);
    await probe.updateComplete;
    expect(b.changes.observed, 'reconnected, it follows its session again').to.equal(true);
    probe.session = null;
    await probe.updateComplete;
    expect(b.changes.observed).to.equal(false);
    expect(probe.changes).to.deep.equal([a, b, b, null]);
    probe.remove();
  });
});
