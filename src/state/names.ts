/**
 * The names the app gives things: a structure name not yet taken in the set, and the file name of an exported
 * RT Structure Set. Pure, so that the rules a user sees (Lung_L_2, RS_<patient>_<time>.dcm) are tested in Node.
 */

/** `base`, or `base_2`, `base_3`, … — the first not in `taken`, which it joins. With `first` > 1, numbering starts there even when `base` is free. */
export function uniqueName(base: string, taken: Set<string>, first = 1): string {
  let name = first === 1 && !taken.has(base) ? base : '';
  for (let n = Math.max(2, first); !name; n++) if (!taken.has(`${base}_${n}`)) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

/** `text` as a portable file-name fragment: runs of anything but letters, digits, `.`, `_` and `-` become `_`, at most 48 characters, never empty. */
export function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 48) || 'delineo';
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Local date and time as `YYYYMMDD-hhmmss`: sortable, and distinct for exports a second apart. */
export function stamp(date: Date): string {
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/** The file name of an exported RTSTRUCT: `RS_<patient ID, else the CT's name>_<stamp>.dcm`. */
export function rtstructFileName(ct: { readonly identity: { readonly patientId?: string }; readonly name?: string }, date: Date): string {
  return `RS_${fileSafe(ct.identity.patientId || ct.name || 'delineo')}_${stamp(date)}.dcm`;
}
