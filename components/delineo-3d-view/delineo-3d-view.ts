import { Delineo3dView } from './delineo-3d-view.component.ts';

export * from './delineo-3d-view.component.ts';
export default Delineo3dView;

// Defined apart from the class (Shoelace's layout) so the class can be imported or registered under another
// tag without side effects; guarded so that loading the module twice does not throw.
if (!customElements.get('delineo-3d-view')) customElements.define('delineo-3d-view', Delineo3dView);

declare global {
  interface HTMLElementTagNameMap {
    'delineo-3d-view': Delineo3dView;
  }
}
