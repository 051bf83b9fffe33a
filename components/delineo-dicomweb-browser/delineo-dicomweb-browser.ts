import { DelineoDicomwebBrowser } from './delineo-dicomweb-browser.component.ts';

export * from './delineo-dicomweb-browser.component.ts';
export default DelineoDicomwebBrowser;

if (!customElements.get('delineo-dicomweb-browser')) customElements.define('delineo-dicomweb-browser', DelineoDicomwebBrowser);

declare global {
  interface HTMLElementTagNameMap {
    'delineo-dicomweb-browser': DelineoDicomwebBrowser;
  }
}
