import { DelineoStructureList } from './delineo-structure-list.component.ts';

export * from './delineo-structure-list.component.ts';
export default DelineoStructureList;

if (!customElements.get('delineo-structure-list')) customElements.define('delineo-structure-list', DelineoStructureList);

declare global {
  interface HTMLElementTagNameMap {
    'delineo-structure-list': DelineoStructureList;
  }
}
