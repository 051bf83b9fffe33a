import { DelineoMpr } from './delineo-mpr.component.ts';

export * from './delineo-mpr.component.ts';
export default DelineoMpr;

if (!customElements.get('delineo-mpr')) customElements.define('delineo-mpr', DelineoMpr);

declare global {
  interface HTMLElementTagNameMap {
    'delineo-mpr': DelineoMpr;
  }
}
