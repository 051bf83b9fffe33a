import { DelineoReviewPanel } from './delineo-review-panel.component.ts';

export * from './delineo-review-panel.component.ts';
export default DelineoReviewPanel;

if (!customElements.get('delineo-review-panel')) customElements.define('delineo-review-panel', DelineoReviewPanel);

declare global {
  interface HTMLElementTagNameMap {
    'delineo-review-panel': DelineoReviewPanel;
  }
}
