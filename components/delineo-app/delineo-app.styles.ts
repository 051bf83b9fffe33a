import { css } from 'lit';

export default css`
  :host {
    --delineo-app-background: #101214;
    --delineo-app-foreground: #e6e8ea;
    --delineo-app-muted: #9aa3ab;
    --delineo-app-accent: #4fb3ff;
    --delineo-app-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif;
    --delineo-app-sidebar-width: 330px;

    display: grid;
    grid-template-rows: auto auto minmax(0, 1fr) auto;
    box-sizing: border-box;
    height: 100%;
    min-height: 320px;
    background: var(--delineo-app-background);
    color: var(--delineo-app-foreground);
    font: 14px/1.4 var(--delineo-app-font);
  }

  :host([hidden]) {
    display: none;
  }

  /* Focus rests on the host only as a fallback for the app-wide keys; it needs no ring. */
  :host(:focus) {
    outline: none;
  }

  [part='header'] {
    display: flex;
    align-items: baseline;
    gap: 0.75em;
    padding: 0.4em 1em;
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

  [part='toolbar'] {
    border-bottom: 1px solid #2a2f34;
    --delineo-toolbar-accent: var(--delineo-app-accent);
  }

  .main {
    display: grid;
    grid-template-columns: minmax(0, 1fr) var(--delineo-app-sidebar-width);
    min-width: 0;
    min-height: 0;
  }

  [part='viewport'] {
    min-width: 0;
    min-height: 0;
  }

  .sidebar {
    display: flex;
    flex-direction: column;
    min-height: 0;
    overflow: auto;
    border-left: 1px solid #2a2f34;
    background: #16191c;
  }

  .sidebar h2 {
    margin: 0;
    padding: 0.5em 0.75em 0.25em;
    font-size: 0.8em;
    font-weight: 600;
    text-transform: uppercase;
    letter-spacing: 0.08em;
    color: var(--delineo-app-muted);
  }

  .footer {
    display: flex;
    gap: 1.5em;
    padding: 0.3em 1em;
    border-top: 1px solid #2a2f34;
    color: var(--delineo-app-muted);
    font-size: 0.9em;
    font-variant-numeric: tabular-nums;
  }

  [part='status'] {
    flex: 1;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  [part='3d-view'] {
    min-width: 0;
    min-height: 0;
  }

  .error {
    color: #ff8a80;
  }
`;
