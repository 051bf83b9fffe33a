/**
 * Rendering adapters: small typed wrappers over vtk.js, each owning its vtk.js objects and releasing them in
 * `dispose()`. Nothing outside src/render (and src/mesh) touches vtk.js, and no vtk.js type crosses this
 * surface: callers see Delineo types, canvases and pixels only.
 */
export * from './slice-camera.ts';
export * from './slice-renderer.ts';
export * from './slice-outline.ts';
export * from './slice-overlay.ts';
export * from './dose-overlay.ts';
export * from './tool-overlay.ts';
export * from './fusion-overlay.ts';
