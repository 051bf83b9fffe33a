/**
 * A DICOM person name (PN: family^given^middle^prefix^suffix) as read in a worklist: "Family, Given Middle".
 * Values without `^` are shown as they are. Of a multi-group value (alphabetic=ideographic=phonetic) only the
 * alphabetic group is used, which is the one every scanner fills.
 */
export function personName(pn: string): string {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = pn.split('=')[0].split('^').map((p) => p.trim());
  const rest = [prefix, given, middle, suffix].filter(Boolean).join(' ');
  return family && rest ? `${family}, ${rest}` : family || rest;
}
