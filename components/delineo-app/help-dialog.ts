import { html } from 'lit';
import { SHORTCUTS } from './shortcuts.ts';

/**
 * The keyboard shortcut dialog (`?`): every line of SHORTCUTS. `onClose` runs when it closes. Its heading takes
 * focus when it opens (`autofocus`): otherwise the dialog focuses its first button, Close at the very bottom, and
 * opens scrolled down past its title.
 */
export function renderHelpDialog(onClose: () => void) {
  return html`<dialog part="help" class="help-dialog" aria-label="Keyboard shortcuts" @close=${onClose}>
    <h2 tabindex="-1" autofocus>Keyboard shortcuts</h2>
    <table>
      <thead><tr><th scope="col">Keys</th><th scope="col">Action</th><th scope="col">Where</th></tr></thead>
      <tbody>${SHORTCUTS.map((s) => html`<tr><td><kbd>${s.keys}</kbd></td><td>${s.action}</td><td>${s.scope}</td></tr>`)}</tbody>
    </table>
    <form method="dialog"><button part="help-close">Close</button></form>
  </dialog>`;
}

/** Opens the dialog, or closes it when open. */
export function toggleDialog(dialog: HTMLDialogElement | null): void {
  if (!dialog) return;
  if (dialog.open) dialog.close();
  else dialog.showModal();
}
