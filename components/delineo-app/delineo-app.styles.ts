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
    grid-template-rows: auto auto auto minmax(0, 1fr) auto;
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
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4em 0.75em;
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
    flex: 1;
    min-width: 8em;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: var(--delineo-app-muted);
  }

  .actions {
    display: flex;
    align-items: center;
    gap: 0.35em;
  }

  .actions + .actions {
    padding-left: 0.6em;
    border-left: 1px solid #2a2f34;
  }

  button,
  select {
    font: inherit;
    font-size: 0.92em;
    color: inherit;
    background: #22272c;
    border: 1px solid #3a4148;
    border-radius: 4px;
    padding: 0.2em 0.7em;
  }

  button {
    cursor: pointer;
  }

  button:hover:not(:disabled),
  select:hover:not(:disabled) {
    border-color: var(--delineo-app-accent);
  }

  button:focus-visible,
  select:focus-visible {
    outline: 2px solid var(--delineo-app-accent);
    outline-offset: 1px;
  }

  button:disabled,
  select:disabled {
    opacity: 0.5;
    cursor: default;
  }

  [part='run-button'] {
    background: #1d3a52;
    border-color: var(--delineo-app-accent);
  }

  .help {
    width: 1.9em;
    padding: 0.2em 0;
    border-radius: 50%;
    font-weight: 600;
  }

  .picker {
    display: none;
  }

  .banner:empty {
    display: none;
  }

  .banner {
    display: grid;
    gap: 1px;
    border-bottom: 1px solid #2a2f34;
  }

  .progress,
  .notice {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.4em 0.75em;
    padding: 0.35em 1em;
    background: #16191c;
  }

  .progress progress {
    flex: 1;
    min-width: 6em;
    height: 0.7em;
    accent-color: var(--delineo-app-accent);
  }

  .job-stage,
  .job-time {
    color: var(--delineo-app-muted);
    font-variant-numeric: tabular-nums;
  }

  .notice {
    border-left: 3px solid var(--delineo-app-accent);
  }

  .notice.warning {
    border-left-color: #ffcc66;
  }

  .notice.error {
    border-left-color: #ff8a80;
    color: #ffd2cc;
  }

  .notice-text {
    flex: 1;
    min-width: 12em;
  }

  .notice ul {
    flex-basis: 100%;
    margin: 0;
    padding-left: 1.5em;
    color: var(--delineo-app-muted);
    font-size: 0.92em;
  }

  .notice .dismiss {
    border: none;
    background: none;
    font-size: 1.1em;
    padding: 0 0.3em;
  }

  dialog {
    max-width: min(760px, 92vw);
    max-height: 85vh;
    overflow: auto;
    color: var(--delineo-app-foreground);
    background: #16191c;
    border: 1px solid #3a4148;
    border-radius: 6px;
    font: 14px/1.4 var(--delineo-app-font);
  }

  dialog::backdrop {
    background: rgb(0 0 0 / 55%);
  }

  dialog h2 {
    margin: 0 0 0.5em;
    font-size: 1.05em;
  }

  dialog table {
    border-collapse: collapse;
    width: 100%;
  }

  dialog th,
  dialog td {
    text-align: left;
    padding: 0.2em 0.75em 0.2em 0;
    border-bottom: 1px solid #2a2f34;
    vertical-align: top;
  }

  dialog td:last-child {
    color: var(--delineo-app-muted);
    white-space: nowrap;
  }

  kbd {
    font-family: inherit;
    font-weight: 600;
    white-space: nowrap;
  }

  dialog form {
    margin-top: 0.75em;
    text-align: right;
  }

  .series-dialog ul {
    list-style: none;
    padding: 0;
    display: grid;
    gap: 0.35em;
  }

  .series-dialog li button {
    width: 100%;
    text-align: left;
  }

  .dose-display {
    display: flex;
    flex-wrap: wrap;
    gap: 0.4em 0.8em;
    padding: 0.2em 0.75em;
    font-size: 0.9em;
  }

  .dose-display input[type='number'] {
    width: 4em;
  }

  .isodose-levels,
  .plan-summary .muted,
  .no-dose {
    color: var(--delineo-app-muted);
  }

  .plan-summary,
  .no-dose {
    padding: 0.2em 0.75em;
    font-size: 0.9em;
  }

  .plan-summary h3 {
    margin: 0.3em 0 0.1em;
    font-size: 1em;
  }

  .plan-summary p {
    margin: 0.1em 0 0.3em;
  }

  .plan-summary table {
    width: 100%;
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
  }

  .plan-summary th,
  .plan-summary td {
    padding: 0.1em 0.3em 0.1em 0;
    text-align: left;
    font-weight: normal;
  }

  .plan-summary th {
    color: var(--delineo-app-muted);
  }

  .sidebar-head {
    display: flex;
    align-items: center;
    justify-content: space-between;
    padding-right: 0.75em;
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

  .adaptive-source,
  .fusion-controls,
  .registration-quality,
  .propagated-volumes {
    padding: 0.2em 0.75em;
    font-size: 0.9em;
  }

  .adaptive-source {
    margin: 0;
    color: var(--delineo-app-muted);
  }

  .fusion-controls {
    display: flex;
    flex-wrap: wrap;
    gap: 0.3em 0.8em;
  }

  .fusion-modes {
    display: flex;
    gap: 0.6em;
    width: 100%;
  }

  .fusion-controls input[type='number'] {
    width: 4em;
  }

  .fusion-scale .less {
    color: #4aa0ff;
  }

  .fusion-scale .more {
    color: #ff7a2a;
  }

  .registration-quality {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0.1em 0.8em;
    margin: 0.3em 0;
  }

  .registration-quality dt {
    color: var(--delineo-app-muted);
  }

  .registration-quality dd {
    margin: 0;
    font-variant-numeric: tabular-nums;
  }

  .propagated-volumes {
    border-collapse: collapse;
    width: 100%;
    font-variant-numeric: tabular-nums;
  }

  .propagated-volumes caption {
    text-align: left;
    color: var(--delineo-app-muted);
  }

  .propagated-volumes th,
  .propagated-volumes td {
    text-align: right;
    padding: 0.1em 0.4em 0.1em 0;
    font-weight: normal;
  }

  .propagated-volumes th[scope='row'],
  .propagated-volumes thead th:first-child {
    text-align: left;
    overflow: hidden;
    text-overflow: ellipsis;
    max-width: 9em;
    white-space: nowrap;
  }

  .adaptive-drop {
    display: flex;
    align-items: center;
    gap: 0.8em;
    padding: 1em;
    border: 1px dashed #3a4148;
    border-radius: 6px;
  }
`;
