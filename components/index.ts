/**
 * The components entry: importing it defines every Delineo element (`<delineo-app>`, `<delineo-mpr>`,
 * `<delineo-slice-view>`, `<delineo-3d-view>`, `<delineo-structure-list>`, `<delineo-toolbar>`,
 * `<delineo-dicomweb-browser>`, `<delineo-review-panel>`), brings their event types into
 * GlobalEventHandlersEventMap. index.html loads it; an embedding page (a portal) can too, build the session they
 * share (`ViewerSession`, from the core, src/index.ts) and hand it to the elements it places.
 */
export * from './delineo-app/delineo-app.ts';
export * from './delineo-3d-view/delineo-3d-view.ts';
export * from './delineo-mpr/delineo-mpr.ts';
export * from './delineo-slice-view/delineo-slice-view.ts';
export * from './delineo-structure-list/delineo-structure-list.ts';
export * from './delineo-toolbar/delineo-toolbar.ts';
export * from './delineo-dicomweb-browser/delineo-dicomweb-browser.ts';
export * from './delineo-review-panel/delineo-review-panel.ts';
export * from './delineo-dvh-panel/delineo-dvh-panel.ts';
export { defaultDoseModel, defaultModels, type AppDoseModel, type AppModel } from './delineo-app/app-models.ts';
export { SHORTCUTS, shortcutsFor, type Shortcut } from './delineo-app/shortcuts.ts';
export type * from './events/delineo-volume-load.ts';
export type * from './events/delineo-model-ready.ts';
export type * from './events/delineo-slice-change.ts';
export type * from './events/delineo-crosshair-change.ts';
export type * from './events/delineo-window-change.ts';
export type * from './events/delineo-structure-select.ts';
export type * from './events/delineo-structure-delete.ts';
export type * from './events/delineo-structure-edit.ts';
export type * from './events/delineo-tool-change.ts';
export type * from './events/delineo-edit-refuse.ts';
export type * from './events/delineo-surface-update.ts';
export type * from './events/delineo-volume-preset-change.ts';
export type * from './events/delineo-series-open.ts';
export type * from './events/delineo-auto-contour.ts';
export type * from './events/delineo-dose-predicted.ts';
export type * from './events/delineo-structure-approve.ts';
export type * from './events/delineo-export.ts';
export type * from './events/delineo-error.ts';
export type * from './events/delineo-job-progress.ts';
export type * from './events/delineo-propagate.ts';
export type * from './events/delineo-fusion-change.ts';
