export * from './structure-set.store.ts';
export * from './operations.ts';
export * from './autosave.ts';
export * from './review.ts';
export * from './qa.ts';
export * from './names.ts';
export * from './auto-contour-merge.ts';
