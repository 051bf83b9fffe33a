import { css } from 'lit';

export default css`
  :host {
    --delineo-toolbar-background: #16191c;
    --delineo-toolbar-foreground: #e6e8ea;
    --delineo-toolbar-accent: #4fb3ff;

    /* Two fixed rows — tools and actions, then the current tool's settings and the last message — so that
       picking a tool never changes the toolbar's height (and with it the size of every view). */
    display: grid;
    grid-template-columns: auto minmax(0, 1fr);
    grid-template-areas:
      'tools actions'
      'settings message';
    align-items: center;
    gap: 6px 14px;
    padding: 6px 10px;
    background: var(--delineo-toolbar-background);
    color: var(--delineo-toolbar-foreground);
    font: 13px/1.3 system-ui, 'DejaVu Sans', sans-serif;
  }

  :host([hidden]) {
    display: none;
  }

  .tools,
  .settings,
  .actions,
  .segmented {
    display: flex;
    align-items: center;
    gap: 4px;
  }

  .tools {
    grid-area: tools;
    flex-wrap: wrap;
  }

  .actions {
    grid-area: actions;
    justify-self: end;
  }

  .settings {
    grid-area: settings;
    gap: 10px;
    min-height: 28px;
    flex-wrap: wrap;
  }

  button,
  select,
  input[type='number'] {
    font: inherit;
    color: inherit;
    background: #23272b;
    border: 1px solid #3a4046;
    border-radius: 4px;
    padding: 3px 8px;
  }

  button {
    cursor: pointer;
  }

  button:hover:not(:disabled) {
    background: #2d3338;
  }

  button:disabled {
    opacity: 0.45;
    cursor: default;
  }

  button.active {
    background: var(--delineo-toolbar-accent);
    border-color: var(--delineo-toolbar-accent);
    color: #06121c;
    font-weight: 600;
  }

  button:focus-visible,
  select:focus-visible,
  input:focus-visible {
    outline: 2px solid var(--delineo-toolbar-accent);
    outline-offset: 1px;
  }

  label {
    display: flex;
    align-items: center;
    gap: 6px;
  }

  label > span,
  .segmented > span {
    color: #9aa3ab;
  }

  input[type='range'] {
    width: 110px;
    accent-color: var(--delineo-toolbar-accent);
  }

  input.hu {
    width: 6ch;
  }

  output {
    min-width: 6ch;
    font-variant-numeric: tabular-nums;
  }

  .hint {
    color: #9aa3ab;
  }

  .message {
    grid-area: message;
    justify-self: end;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: #9aa3ab;
  }

  .message.error {
    color: #ff8a80;
  }
`;
