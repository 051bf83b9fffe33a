import { DelineoSliceView } from './delineo-slice-view.component.ts';

export * from './delineo-slice-view.component.ts';
export default DelineoSliceView;

// Defining is separate from the class (Shoelace's layout); guarded so that a second copy of the module
// (two bundles on one page, hot reload) does not throw.
if (!customElements.get('delineo-slice-view')) customElements.define('delineo-slice-view', DelineoSliceView);

declare global {
  interface HTMLElementTagNameMap {
    'delineo-slice-view': DelineoSliceView;
  }
}
