import { css } from 'lit';

export default css`
  :host {
    --delineo-3d-view-background: #121417;
    --delineo-3d-view-foreground: rgba(235, 238, 240, 0.92);
    --delineo-3d-view-muted: #9aa3ab;
    --delineo-3d-view-error: #ff8a80;
    --delineo-3d-view-control-background: rgba(24, 27, 31, 0.82);
    --delineo-3d-view-focus: #4fb3ff;
    --delineo-3d-view-font: 'DejaVu Sans', system-ui, sans-serif;

    display: block;
    position: relative;
    box-sizing: border-box;
    min-width: 0;
    min-height: 160px;
    overflow: hidden;
    background: var(--delineo-3d-view-background);
    color: var(--delineo-3d-view-foreground);
    font: 12px/1.3 var(--delineo-3d-view-font);
    user-select: none;
    -webkit-user-select: none;
  }

  :host([hidden]) {
    display: none;
  }

  /* The renderer sizes its canvas to this box and binds the mouse to it; nothing in it depends on the canvas. */
  [part='viewport'] {
    position: absolute;
    inset: 0;
    touch-action: none;
    cursor: grab;
  }

  [part='viewport']:active {
    cursor: grabbing;
  }

  [part='controls'] {
    position: absolute;
    top: 6px;
    right: 6px;
    display: flex;
    gap: 4px;
    align-items: center;
  }

  button,
  select {
    font: inherit;
    color: var(--delineo-3d-view-foreground);
    background: var(--delineo-3d-view-control-background);
    border: 1px solid rgba(255, 255, 255, 0.16);
    border-radius: 4px;
    padding: 2px 6px;
    cursor: pointer;
  }

  button[aria-pressed='true'] {
    border-color: var(--delineo-3d-view-focus);
    box-shadow: inset 0 0 0 1px var(--delineo-3d-view-focus);
  }

  button:focus-visible,
  select:focus-visible {
    outline: 2px solid var(--delineo-3d-view-focus);
    outline-offset: 1px;
  }

  [part='status'] {
    position: absolute;
    left: 6px;
    right: 6px;
    bottom: 4px;
    text-align: right;
    color: var(--delineo-3d-view-muted);
    pointer-events: none;
    font-variant-numeric: tabular-nums;
    text-shadow: 0 0 3px #000;
  }

  [part='status'].error {
    color: var(--delineo-3d-view-error);
  }
`;
