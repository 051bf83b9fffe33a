import { css } from 'lit';

export default css`
  :host {
    --delineo-mpr-gap: 2px;
    --delineo-mpr-background: #2a2f34;

    display: grid;
    grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
    grid-template-rows: minmax(0, 1fr) minmax(0, 1fr);
    gap: var(--delineo-mpr-gap);
    min-width: 0;
    min-height: 0;
    background: var(--delineo-mpr-background);
  }

  :host([hidden]) {
    display: none;
  }

  :host([layout='row']) {
    grid-template-columns: repeat(3, minmax(0, 1fr));
    grid-template-rows: minmax(0, 1fr);
  }

  :host([layout='row']) .aside {
    display: none;
  }

  delineo-slice-view {
    min-width: 0;
    min-height: 0;
  }

  .aside {
    position: relative;
    display: grid;
    min-width: 0;
    min-height: 0;
    background: #000;
  }

  ::slotted(*) {
    min-width: 0;
    min-height: 0;
  }

  .placeholder {
    display: grid;
    place-items: center;
    color: #5d666e;
    font: 13px system-ui, 'DejaVu Sans', sans-serif;
  }
`;
