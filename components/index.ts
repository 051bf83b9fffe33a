/**
 * The components entry: importing it defines every Delineo element (`<delineo-app>`) and brings their
 * event types into GlobalEventHandlersEventMap. index.html loads it; an embedding page can too.
 */
export * from './delineo-app/delineo-app.ts';
export type * from './events/delineo-volume-load.ts';
