import { DelineoDvhPanel } from './delineo-dvh-panel.component.ts';

export * from './delineo-dvh-panel.component.ts';
export default DelineoDvhPanel;

if (!customElements.get('delineo-dvh-panel')) customElements.define('delineo-dvh-panel', DelineoDvhPanel);

declare global {
  interface HTMLElementTagNameMap {
    'delineo-dvh-panel': DelineoDvhPanel;
  }
}
