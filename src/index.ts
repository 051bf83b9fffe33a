/**
 * Delineo's public core API: framework-free, usable in Node (CLI) and the browser. Components and
 * embedding portals import only from here.
 */
export * from './domain/index.ts';
