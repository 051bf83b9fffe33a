import { DelineoToolbar } from './delineo-toolbar.component.ts';

export * from './delineo-toolbar.component.ts';
export default DelineoToolbar;

if (!customElements.get('delineo-toolbar')) customElements.define('delineo-toolbar', DelineoToolbar);

declare global {
  interface HTMLElementTagNameMap {
    'delineo-toolbar': DelineoToolbar;
  }
}
