export * from './geometry.ts';
export * from './volume.ts';
export * from './mask.ts';
export * from './structure.ts';
export * from './resample.ts';
export * from './ops/margin.ts';
export * from './ops/components.ts';
export * from './ops/smooth.ts';
