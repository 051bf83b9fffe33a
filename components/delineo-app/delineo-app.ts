import { DelineoApp } from './delineo-app.component.ts';

export * from './delineo-app.component.ts';
export default DelineoApp;

// Defining is separate from the class (Shoelace's layout) so the class can be imported, extended or
// registered under another tag without side effects. Guarded so that loading the module twice (two
// bundles on one page, hot reload) does not throw.
if (!customElements.get('delineo-app')) customElements.define('delineo-app', DelineoApp);

declare global {
  interface HTMLElementTagNameMap {
    'delineo-app': DelineoApp;
  }
}
