/**
 * A DICOM person name (PN, PS3.5 6.2) as people read it: `Family^Given^Middle^Prefix^Suffix` becomes
 * "Family, Prefix Given Middle Suffix". Shared by everything that shows a patient or physician name, so a
 * name is never shown as its raw encoding.
 */

/**
 * Formats a PN value for display. Of the component groups (`alphabetic=ideographic=phonetic`) only the first
 * one that holds a name is shown, the alphabetic one wherever the scanner filled it; empty components and
 * trailing carets are dropped; a value without `^` is shown as it is; an empty value gives ''. The result is
 * plain text: callers render it as text, never as HTML.
 */
export function personName(pn: string): string {
  const groups = pn.split('=').map((g) => g.replace(/[\0\s]+$/, '').trim());
  const group = groups.find((g) => g.replace(/\^/g, '').trim() !== '') ?? '';
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = group.split('^').map((p) => p.trim());
  const rest = [prefix, given, middle, suffix].filter(Boolean).join(' ');
  return family && rest ? `${family}, ${rest}` : family || rest;
}
