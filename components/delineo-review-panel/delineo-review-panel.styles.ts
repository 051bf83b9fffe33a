import { css } from 'lit';

export default css`
  :host {
    --delineo-review-panel-foreground: #e6e8ea;
    --delineo-review-panel-muted: #9aa3ab;
    --delineo-review-panel-accent: #4fb3ff;
    --delineo-review-panel-warning: #ffcc66;
    --delineo-review-panel-error: #ff8a80;

    display: block;
    color: var(--delineo-review-panel-foreground);
    font-size: 0.92em;
  }

  :host([hidden]) {
    display: none;
  }

  section {
    padding: 0.5em 0.75em;
    border-top: 1px solid #2a2f34;
  }

  .empty,
  .source,
  .progress {
    color: var(--delineo-review-panel-muted);
  }

  .empty {
    margin: 0.25em 0;
  }

  .summary {
    display: flex;
    align-items: center;
    gap: 0.5em;
    font-weight: 600;
  }

  .swatch {
    width: 0.8em;
    height: 0.8em;
    border-radius: 2px;
    flex: none;
  }

  .name {
    flex: 1;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  .status {
    font-size: 0.8em;
    font-weight: 500;
    padding: 0.05em 0.5em;
    border-radius: 0.8em;
    border: 1px solid currentColor;
    white-space: nowrap;
  }

  .status.approved {
    color: var(--delineo-review-panel-accent);
  }

  .status.auto {
    color: var(--delineo-review-panel-warning);
  }

  .status.edited {
    color: #c5a3ff;
  }

  .status.manual {
    color: var(--delineo-review-panel-muted);
  }

  .source {
    font-size: 0.85em;
    margin: 0.15em 0 0.35em;
  }

  .metrics {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0.1em 0.75em;
    margin: 0.35em 0;
    font-variant-numeric: tabular-nums;
  }

  .metrics dt {
    color: var(--delineo-review-panel-muted);
  }

  .metrics dd {
    margin: 0;
    text-align: right;
  }

  button {
    font: inherit;
    color: inherit;
    background: #22272c;
    border: 1px solid #3a4148;
    border-radius: 4px;
    padding: 0.2em 0.7em;
    cursor: pointer;
  }

  button:hover:not(:disabled) {
    border-color: var(--delineo-review-panel-accent);
  }

  button:focus-visible {
    outline: 2px solid var(--delineo-review-panel-accent);
    outline-offset: 1px;
  }

  button:disabled {
    opacity: 0.5;
    cursor: default;
  }

  button.approve {
    width: 100%;
    margin-top: 0.35em;
    background: #1d3a52;
    border-color: var(--delineo-review-panel-accent);
  }

  button.withdraw {
    width: 100%;
    margin-top: 0.35em;
  }

  .nav {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 0.5em;
    margin-top: 0.5em;
  }

  h3 {
    margin: 0 0 0.35em;
    font-size: 0.8em;
    font-weight: 600;
    text-transform: uppercase;
    letter-spacing: 0.08em;
    color: var(--delineo-review-panel-muted);
  }

  .count {
    text-transform: none;
    letter-spacing: 0;
    font-weight: 500;
    margin-left: 0.5em;
  }

  .count.ok {
    color: var(--delineo-review-panel-accent);
  }

  .count.has-warnings {
    color: var(--delineo-review-panel-warning);
  }

  .count.has-errors {
    color: var(--delineo-review-panel-error);
  }

  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.3em;
  }

  .finding {
    display: block;
    width: 100%;
    text-align: left;
    border-left-width: 3px;
  }

  .finding.warning {
    border-left-color: var(--delineo-review-panel-warning);
  }

  .finding.error {
    border-left-color: var(--delineo-review-panel-error);
  }

  .finding.active {
    background: #283039;
  }

  .finding .kind {
    font-weight: 600;
  }

  .finding .what {
    display: block;
    color: var(--delineo-review-panel-muted);
    font-size: 0.9em;
  }

  .error {
    color: var(--delineo-review-panel-error);
  }
`;
