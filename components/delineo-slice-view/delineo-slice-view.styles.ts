import { css } from 'lit';

export default css`
  :host {
    --delineo-slice-view-background: #000;
    --delineo-slice-view-text: rgba(235, 238, 240, 0.92);
    --delineo-slice-view-label: #ffd75e;
    --delineo-slice-view-font: 'DejaVu Sans', system-ui, sans-serif;
    --delineo-slice-view-focus: #4fb3ff;

    display: grid;
    grid-template-rows: minmax(0, 1fr) auto;
    position: relative;
    box-sizing: border-box;
    min-width: 0;
    min-height: 0;
    background: var(--delineo-slice-view-background);
    color: var(--delineo-slice-view-text);
    font: 12px/1.3 var(--delineo-slice-view-font);
    outline: none;
    user-select: none;
    -webkit-user-select: none;
  }

  :host([hidden]) {
    display: none;
  }

  :host(:focus-visible) .stage {
    box-shadow: inset 0 0 0 2px var(--delineo-slice-view-focus);
  }

  .stage {
    position: relative;
    min-width: 0;
    min-height: 0;
    overflow: hidden;
  }

  /* The renderer sizes its canvas to this box; nothing in it may depend on the canvas. The cursor over it is the current tool's (set from the tool registry). */
  .viewport {
    position: absolute;
    inset: 0;
    touch-action: none;
    cursor: crosshair;
  }

  .overlay {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    pointer-events: none;
  }

  .label,
  .info,
  .scale-bar,
  .notice {
    position: absolute;
    pointer-events: none;
    text-shadow:
      0 0 2px #000,
      0 0 3px #000;
  }

  .label {
    color: var(--delineo-slice-view-label);
    font-weight: 700;
    font-size: 14px;
  }

  /* Below the info line, which shares the top edge. */
  .label.top {
    top: 20px;
    left: 50%;
    transform: translateX(-50%);
  }

  .label.bottom {
    bottom: 22px;
    left: 50%;
    transform: translateX(-50%);
  }

  .label.left {
    left: 6px;
    top: 50%;
    transform: translateY(-50%);
  }

  .label.right {
    right: 6px;
    top: 50%;
    transform: translateY(-50%);
  }

  .info {
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }

  .top-left {
    top: 4px;
    left: 6px;
  }

  /* A prediction is never mistaken for a plan's dose. */
  [part='predicted'] {
    color: #ffcc66;
    font-weight: 600;
  }

  .top-right {
    top: 4px;
    right: 6px;
  }

  .bottom-left {
    bottom: 4px;
    left: 6px;
  }

  /* The dose line (when a dose is shown) above the HU and position line. */
  .readout {
    white-space: pre;
  }

  .scale-bar {
    right: 8px;
    bottom: 6px;
    display: flex;
    flex-direction: column;
    align-items: flex-end;
    gap: 2px;
  }

  .scale-bar .bar {
    display: block;
    height: 4px;
    box-sizing: border-box;
    border: 1px solid var(--delineo-slice-view-text);
    border-top: none;
  }

  .notice {
    left: 50%;
    top: 28px;
    transform: translateX(-50%);
    max-width: 80%;
    padding: 4px 10px;
    border-radius: 4px;
    background: rgba(120, 20, 20, 0.9);
    color: #fff;
    text-shadow: none;
    text-align: center;
  }

  .notice[hidden] {
    display: none;
  }

  .controls {
    display: flex;
    padding: 2px 6px;
    background: #15181b;
  }

  .controls input {
    flex: 1;
    margin: 0;
    accent-color: #4fb3ff;
  }
`;
