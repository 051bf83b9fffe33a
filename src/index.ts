/**
 * Delineo's public core API: framework-free, usable in Node (CLI) and the browser. Components and
 * embedding portals import only from here.
 */
export * from './domain/index.ts';
export * from './render/index.ts';
export * from './jobs/job.ts';
export * from './jobs/worker-rpc.ts';
export * from './phantom/phantom.ts';
export * from './io/dicom/uid.ts';
export * from './io/dicom/ct-writer.ts';
export * from './state/index.ts';
export * from './io/itk/contour-interpolation.ts';
export * from './io/itk/contour-interpolation-browser.ts';
export * from './mesh/index.ts';
