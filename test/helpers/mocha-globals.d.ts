// The mocha globals that @web/test-runner provides to browser tests (`*.browser.test.ts`). No
// @types/mocha is installed, so these are the few signatures our tests use; declared as functions
// (not consts) so that another declaration of the same global merges instead of clashing.
/** The `this` of a mocha suite or test function (`function () { this.timeout(ms) }`). */
interface MochaContext {
  timeout(ms: number): void;
  /** In a hook: the test it runs for; `err` is set when that test failed. */
  readonly currentTest?: { readonly title: string; readonly state?: 'passed' | 'failed' | 'pending'; err?: Error & { actual?: unknown; expected?: unknown } };
}
declare function describe(title: string, fn: (this: MochaContext) => void): void;
declare function it(title: string, fn: (this: MochaContext) => void | Promise<unknown>): void;
declare function before(fn: (this: MochaContext) => void | Promise<unknown>): void;
declare function after(fn: (this: MochaContext) => void | Promise<unknown>): void;
declare function beforeEach(fn: (this: MochaContext) => void | Promise<unknown>): void;
declare function afterEach(fn: (this: MochaContext) => void | Promise<unknown>): void;
