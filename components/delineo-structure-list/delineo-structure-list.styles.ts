import { css } from 'lit';

export default css`
  :host {
    --delineo-structure-list-background: #16191c;
    --delineo-structure-list-foreground: #e6e8ea;
    --delineo-structure-list-muted: #9aa3ab;
    --delineo-structure-list-selected: #23384a;
    --delineo-structure-list-focus: #4fb3ff;

    display: block;
    position: relative;
    min-width: 0;
    background: var(--delineo-structure-list-background);
    color: var(--delineo-structure-list-foreground);
    font: 13px/1.3 system-ui, 'DejaVu Sans', sans-serif;
  }

  :host([hidden]) {
    display: none;
  }

  [part='list'] {
    display: flex;
    flex-direction: column;
    outline: none;
  }

  .item {
    display: grid;
    grid-template-columns: 18px minmax(4em, 1fr) auto auto auto auto auto;
    grid-template-areas: 'swatch name status volume eye lock del' '. type . . . . .';
    align-items: center;
    column-gap: 6px;
    padding: 4px 6px 4px 8px;
    border-left: 3px solid transparent;
    cursor: pointer;
    outline: none;
  }

  .item:hover {
    background: rgba(255, 255, 255, 0.04);
  }

  .item.active {
    background: var(--delineo-structure-list-selected);
    border-left-color: var(--delineo-structure-list-focus);
  }

  .item:focus-visible {
    box-shadow: inset 0 0 0 2px var(--delineo-structure-list-focus);
  }

  .item.hidden-structure .name,
  .item.hidden-structure .swatch {
    opacity: 0.45;
  }

  .swatch {
    grid-area: swatch;
    position: relative;
    width: 16px;
    height: 16px;
    border-radius: 3px;
    box-shadow: inset 0 0 0 1px rgba(0, 0, 0, 0.5);
    overflow: hidden;
    cursor: pointer;
  }

  .swatch input {
    position: absolute;
    inset: 0;
    opacity: 0;
    width: 100%;
    height: 100%;
    border: 0;
    padding: 0;
    cursor: pointer;
  }

  .name {
    grid-area: name;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    font-weight: 600;
  }

  .rename {
    grid-area: name;
    min-width: 0;
    font: inherit;
    color: inherit;
    background: #0d0f11;
    border: 1px solid var(--delineo-structure-list-focus);
    border-radius: 3px;
    padding: 1px 4px;
  }

  .type {
    grid-area: type;
    color: var(--delineo-structure-list-muted);
    font-size: 11px;
  }

  .status {
    grid-area: status;
    font-size: 10px;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    padding: 1px 5px;
    border-radius: 8px;
    border: 1px solid currentColor;
  }

  .status.approved {
    color: #6fdc8c;
  }

  .status.auto {
    color: #c9a7ff;
  }

  .status.edited {
    color: #ffb86b;
  }

  .status.manual {
    color: var(--delineo-structure-list-muted);
  }

  .volume {
    grid-area: volume;
    color: var(--delineo-structure-list-muted);
    font-variant-numeric: tabular-nums;
    min-width: 6ch;
    text-align: right;
    white-space: nowrap;
  }

  .sort-toggle {
    margin: 0.2em 0.75em 0.3em;
    padding: 0.15em 0.6em;
    border: 1px solid #3a4046;
    border-radius: 3px;
    background: transparent;
    color: var(--delineo-structure-list-muted);
    font: inherit;
    font-size: 0.85em;
    cursor: pointer;
  }

  .sort-toggle[aria-pressed='true'] {
    color: var(--delineo-structure-list-foreground);
    border-color: var(--delineo-structure-list-focus);
  }

  .sort-toggle:focus-visible {
    outline: 2px solid var(--delineo-structure-list-focus);
  }

  .icon {
    display: inline-grid;
    place-items: center;
    width: 22px;
    height: 22px;
    padding: 0;
    border: 0;
    border-radius: 3px;
    background: transparent;
    color: var(--delineo-structure-list-muted);
    cursor: pointer;
  }

  .icon:hover {
    color: var(--delineo-structure-list-foreground);
    background: rgba(255, 255, 255, 0.08);
  }

  .icon.on {
    color: #ffd75e;
  }

  [part='visibility-toggle'] {
    grid-area: eye;
  }

  [part='lock-toggle'] {
    grid-area: lock;
  }

  [part='delete-button'] {
    grid-area: del;
  }

  .confirm {
    margin: 6px;
    padding: 8px;
    border: 1px solid #a33;
    border-radius: 4px;
    background: #2a1414;
  }

  .confirm p {
    margin: 0 0 6px;
  }

  .confirm button {
    font: inherit;
    padding: 2px 10px;
    margin-right: 6px;
    border-radius: 3px;
    border: 1px solid #666;
    background: #23272b;
    color: inherit;
    cursor: pointer;
  }

  .confirm button.danger {
    background: #8d2424;
    border-color: #c44;
  }

  .error {
    margin: 6px;
    color: #ff8a80;
  }

  .error[hidden] {
    display: none;
  }

  .empty {
    padding: 12px;
    color: var(--delineo-structure-list-muted);
  }
`;
