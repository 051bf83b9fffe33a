// Types for wtr-csp.js, which the CSP browser test (test/csp/csp.browser.test.ts) imports for the policy.

/** The Content-Security-Policy we recommend for a page embedding Delineo (docs/security.md). */
export declare const RECOMMENDED_CSP: string;

/** Options of {@link cspTestPages}. */
export interface CspTestPagesOptions {
  /** URL prefixes of the pages that get the policy. Default `['/test/csp/', '/examples/']`. */
  readonly prefixes?: readonly string[];
  /** The policy. Default {@link RECOMMENDED_CSP}. */
  readonly policy?: string;
}

/** Koa middleware for @web/test-runner: the policy on the CSP pages and their workers, reports at /__csp-reports. */
export declare function cspTestPages(options?: CspTestPagesOptions): (ctx: unknown, next: () => Promise<unknown>) => Promise<unknown>;
