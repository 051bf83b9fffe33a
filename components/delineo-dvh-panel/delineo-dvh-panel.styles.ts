import { css } from 'lit';

export default css`
  :host {
    --delineo-dvh-panel-foreground: #e6e8ea;
    --delineo-dvh-panel-muted: #9aa3ab;
    --delineo-dvh-panel-grid: #2a2f34;
    --delineo-dvh-panel-pass: #7bd88f;
    --delineo-dvh-panel-fail: #ff8a80;
    --delineo-dvh-panel-predicted: #ffcc66;

    display: block;
    color: var(--delineo-dvh-panel-foreground);
    font-size: 0.92em;
  }

  :host([hidden]) {
    display: none;
  }

  header {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
    align-items: center;
    padding: 0.4em 0.75em;
  }

  .dose-label {
    flex: 1;
    min-width: 8em;
  }

  [part~='predicted'] {
    color: #111;
    background: var(--delineo-dvh-panel-predicted);
    border-radius: 3px;
    padding: 0 0.4em;
    font-weight: 600;
  }

  [part~='stale'] {
    color: var(--delineo-dvh-panel-predicted);
    font-style: italic;
  }

  .muted,
  caption {
    color: var(--delineo-dvh-panel-muted);
  }

  caption {
    text-align: left;
  }

  /* A structure's metrics in the prediction, under its own row. */
  tbody tr.predicted-row {
    border-top: none;
    color: var(--delineo-dvh-panel-muted);
    font-style: italic;
  }

  .swatch.dashed {
    background: none;
    height: 0;
    border-top: 2px dashed;
    vertical-align: 0.2em;
  }

  .constraints-head {
    padding-top: 0.3em;
  }

  .plot {
    position: relative;
    padding: 0 0.75em;
  }

  canvas {
    width: 100%;
    height: 200px;
    display: block;
  }

  [part='readout'] {
    min-height: 1.3em;
    color: var(--delineo-dvh-panel-muted);
    font-variant-numeric: tabular-nums;
  }

  table {
    width: 100%;
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
  }

  th,
  td {
    padding: 0.15em 0.3em;
    text-align: right;
    white-space: nowrap;
  }

  th:first-child,
  td:first-child {
    text-align: left;
  }

  tbody tr {
    border-top: 1px solid var(--delineo-dvh-panel-grid);
  }

  .swatch {
    display: inline-block;
    width: 0.8em;
    height: 0.8em;
    border-radius: 2px;
    margin-right: 0.3em;
    vertical-align: -0.05em;
  }

  .table-wrap {
    overflow-x: auto;
    padding: 0 0.75em;
  }

  ul {
    list-style: none;
    margin: 0;
    padding: 0 0.75em 0.5em;
  }

  li button {
    all: unset;
    cursor: pointer;
    display: block;
    padding: 0.15em 0;
  }

  li button:focus-visible {
    outline: 2px solid var(--delineo-dvh-panel-foreground);
  }

  .pass {
    color: var(--delineo-dvh-panel-pass);
  }

  .fail {
    color: var(--delineo-dvh-panel-fail);
    font-weight: 600;
  }

  .not-evaluable,
  .empty,
  .progress {
    color: var(--delineo-dvh-panel-muted);
  }

  /* A constraint template's name is long: the select shrinks to the panel (its text cut) rather than widening the
     panel past a narrow sidebar, where the table would be cut instead of scrolling. */
  select {
    font: inherit;
    min-width: 0;
    max-width: 100%;
  }
`;
