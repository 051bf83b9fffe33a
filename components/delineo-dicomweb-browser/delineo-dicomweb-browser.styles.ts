import { css } from 'lit';

export default css`
  :host {
    --delineo-dicomweb-browser-background: #16191c;
    --delineo-dicomweb-browser-foreground: #e6e8ea;
    --delineo-dicomweb-browser-muted: #9aa3ab;
    --delineo-dicomweb-browser-selected: #23384a;
    --delineo-dicomweb-browser-focus: #4fb3ff;
    --delineo-dicomweb-browser-error: #ff8a80;

    display: flex;
    flex-direction: column;
    gap: 8px;
    min-width: 0;
    min-height: 0;
    padding: 8px;
    background: var(--delineo-dicomweb-browser-background);
    color: var(--delineo-dicomweb-browser-foreground);
    font: 13px/1.3 system-ui, 'DejaVu Sans', sans-serif;
  }

  :host([hidden]) {
    display: none;
  }

  button,
  input {
    font: inherit;
    color: inherit;
  }

  button {
    padding: 3px 12px;
    border: 1px solid #4a535b;
    border-radius: 3px;
    background: #23272b;
    cursor: pointer;
  }

  button:disabled {
    opacity: 0.5;
    cursor: default;
  }

  button:focus-visible,
  input:focus-visible {
    outline: 2px solid var(--delineo-dicomweb-browser-focus);
    outline-offset: 1px;
  }

  .search {
    display: flex;
    gap: 6px;
  }

  .search input {
    flex: 1;
    min-width: 0;
    padding: 3px 6px;
    background: #0d0f11;
    border: 1px solid #4a535b;
    border-radius: 3px;
  }

  .panes {
    display: grid;
    grid-template-rows: minmax(0, 3fr) minmax(0, 2fr);
    gap: 8px;
    flex: 1;
    min-height: 0;
  }

  .pane {
    display: flex;
    flex-direction: column;
    min-height: 0;
    border: 1px solid #2b3136;
    border-radius: 4px;
  }

  .list {
    overflow: auto;
    outline: none;
  }

  .row {
    display: grid;
    align-items: center;
    column-gap: 10px;
    padding: 3px 8px;
    border-left: 3px solid transparent;
  }

  .studies-row {
    grid-template-columns: minmax(8em, 2fr) minmax(5em, 1fr) 6.5em minmax(6em, 2fr) minmax(4em, 1fr);
  }

  .series-row {
    grid-template-columns: 6em minmax(6em, 2fr) 7em minmax(6em, 1fr);
  }

  .header {
    color: var(--delineo-dicomweb-browser-muted);
    border-bottom: 1px solid #2b3136;
  }

  /* The smaller type is on the cells, not the row: the columns are sized in em and must line up with the rows. */
  .header > span {
    font-size: 11px;
    text-transform: uppercase;
    letter-spacing: 0.04em;
  }

  .item {
    cursor: pointer;
    outline: none;
  }

  .item > span {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  .item:hover {
    background: rgba(255, 255, 255, 0.04);
  }

  .item.selected {
    background: var(--delineo-dicomweb-browser-selected);
    border-left-color: var(--delineo-dicomweb-browser-focus);
  }

  .item:focus-visible {
    box-shadow: inset 0 0 0 2px var(--delineo-dicomweb-browser-focus);
  }

  .item.unavailable {
    cursor: default;
  }

  .name,
  .modality {
    font-weight: 600;
  }

  .muted,
  .status {
    color: var(--delineo-dicomweb-browser-muted);
  }

  .status {
    margin: 0;
    padding: 6px 8px;
  }

  .status:empty {
    display: none;
  }

  .error {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 6px 8px;
    color: var(--delineo-dicomweb-browser-error);
  }

  .actions {
    display: flex;
    align-items: center;
    gap: 8px;
  }

  .selection {
    flex: 1;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    color: var(--delineo-dicomweb-browser-muted);
  }

  .open:not(:disabled) {
    background: #1d4f7a;
    border-color: var(--delineo-dicomweb-browser-focus);
  }
`;
