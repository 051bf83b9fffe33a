// The mocha globals that @web/test-runner provides to browser tests (`*.browser.test.ts`). No
// @types/mocha is installed, so these are the few signatures our tests use; declared as functions
// (not consts) so that another declaration of the same global merges instead of clashing.
declare function describe(title: string, fn: () => void): void;
declare function it(title: string, fn: () => void | Promise<unknown>): void;
declare function before(fn: () => void | Promise<unknown>): void;
declare function after(fn: () => void | Promise<unknown>): void;
declare function beforeEach(fn: () => void | Promise<unknown>): void;
declare function afterEach(fn: () => void | Promise<unknown>): void;
