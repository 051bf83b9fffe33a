export * from './structure-set.store.ts';
export * from './operations.ts';
export * from './autosave.ts';
export * from './review.ts';
export * from './qa.ts';
export * from './viewer-session.ts';
export * from './review-nav.ts';
export * from './tools/index.ts';
