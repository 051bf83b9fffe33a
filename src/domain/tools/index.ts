export * from './paint.ts';
export * from './region-grow.ts';
