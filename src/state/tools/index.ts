export * from './tool.ts';
export * from './registry.ts';
