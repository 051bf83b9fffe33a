import { css } from 'lit';

export default css`
  :host {
    --delineo-app-background: #101214;
    --delineo-app-foreground: #e6e8ea;
    --delineo-app-muted: #9aa3ab;
    --delineo-app-accent: #4fb3ff;
    --delineo-app-font: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;

    display: grid;
    grid-template-rows: auto minmax(0, 1fr) auto auto;
    box-sizing: border-box;
    height: 100%;
    min-height: 240px;
    background: var(--delineo-app-background);
    color: var(--delineo-app-foreground);
    font: 14px/1.4 var(--delineo-app-font);
  }

  :host([hidden]) {
    display: none;
  }

  [part='header'] {
    display: flex;
    align-items: baseline;
    gap: 0.75em;
    padding: 0.5em 1em;
    border-bottom: 1px solid #2a2f34;
  }

  [part='title'] {
    margin: 0;
    font-size: 1.1em;
    font-weight: 600;
    letter-spacing: 0.02em;
  }

  [part='subtitle'] {
    color: var(--delineo-app-muted);
  }

  /* The slice renderer appends its canvas here and sizes it to this box; the box must not depend on it. */
  [part='viewport'] {
    position: relative;
    min-width: 0;
    min-height: 0;
    overflow: hidden;
    background: #000;
  }

  [part='controls'] {
    display: flex;
    align-items: center;
    gap: 1em;
    padding: 0.5em 1em;
    border-top: 1px solid #2a2f34;
  }

  [part='slice-slider'] {
    flex: 1;
    accent-color: var(--delineo-app-accent);
  }

  .slice-label {
    min-width: 12ch;
    font-variant-numeric: tabular-nums;
    text-align: right;
  }

  [part='status'] {
    padding: 0.35em 1em;
    color: var(--delineo-app-muted);
    font-size: 0.9em;
    font-variant-numeric: tabular-nums;
    border-top: 1px solid #2a2f34;
  }

  [part='status'].error {
    color: #ff8a80;
  }
`;
