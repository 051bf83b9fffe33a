/**
 * Which RT Structure Set belongs to a CT, when a folder or a study holds several (or some of another scan):
 * one pure rule shared by the app and the CLI, whose reason is shown to the clinician as it is.
 *
 * Preference: a structure set that references the CT's own series (drawn on this very scan), then one on the
 * CT's Frame of Reference (same patient position, e.g. drawn on another series of the same session). Among
 * several equally good ones the newest (StructureSetDate/Time) wins, then the first by file name, so the same
 * files always give the same choice. Structure sets on another Frame of Reference, or stating none, are
 * skipped: their coordinates cannot be placed on this CT.
 */

/** What the chooser reads of a structure set: a ParsedRtstruct and a series loader's RT object summary both fit. */
export interface RtstructCandidate {
  readonly file: string;
  /** Frame of Reference UIDs the structure set refers to (ParsedRtstruct). */
  readonly frameOfReferenceUids?: readonly string[];
  /** Its top-level Frame of Reference UID (a loader's summary), used when frameOfReferenceUids is absent. */
  readonly frameOfReferenceUid?: string;
  /** Series Instance UIDs of its RT Referenced Series. */
  readonly referencedSeriesUids?: readonly string[];
  /** StructureSetDate (YYYYMMDD) and StructureSetTime (HHMMSS.FFFFFF). */
  readonly date?: string;
  readonly time?: string;
  readonly label?: string;
}

/** The CT the structure set is for. */
export interface RtstructTarget {
  readonly frameOfReferenceUid?: string;
  readonly seriesInstanceUid?: string;
}

/** A candidate not taken, and why: it cannot be placed on this CT ('frame-of-reference'), or another was preferred. */
export interface SkippedRtstruct {
  readonly file: string;
  readonly reason: string;
  readonly why: 'frame-of-reference' | 'other-preferred';
}

/** The choice, the reason in a clinician's words, and why each other candidate was not taken. */
export interface RtstructChoice<C> {
  readonly chosen: C | null;
  readonly reason: string;
  readonly skipped: SkippedRtstruct[];
}

const framesOf = (c: RtstructCandidate): string[] => (c.frameOfReferenceUids ?? (c.frameOfReferenceUid ? [c.frameOfReferenceUid] : [])).filter(Boolean);

/** Sort key of a structure set's date and time ('' when it has none, which sorts as oldest). */
function stamp(c: RtstructCandidate): string {
  const date = (c.date ?? '').trim();
  if (!/^\d{8}$/.test(date)) return '';
  const time = (c.time ?? '').trim().replace(/[^0-9.]/g, '');
  return `${date}${time.split('.')[0].padEnd(6, '0')}`;
}

/** "2024-03-01 14:05" for a stamp, or '' for none. */
function showStamp(s: string): string {
  return s ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)} ${s.slice(8, 10)}:${s.slice(10, 12)}` : '';
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Chooses the structure set that belongs to `ct` among `candidates` (see the module comment for the rule).
 * `chosen` is null when none can be placed on this CT; `reason` then says why, naming the Frames of Reference.
 */
export function chooseRtstruct<C extends RtstructCandidate>(candidates: readonly C[], ct: RtstructTarget): RtstructChoice<C> {
  if (candidates.length === 0) return { chosen: null, reason: 'No RT Structure Set was found with this CT.', skipped: [] };
  const ctFrame = ct.frameOfReferenceUid ?? '';
  const ctSeries = ct.seriesInstanceUid ?? '';
  const onSeries = candidates.filter((c) => ctSeries !== '' && (c.referencedSeriesUids ?? []).includes(ctSeries));
  const onFrame = candidates.filter((c) => !onSeries.includes(c) && ctFrame !== '' && framesOf(c).includes(ctFrame));
  const skipped: SkippedRtstruct[] = [];
  for (const c of candidates) {
    if (onSeries.includes(c) || onFrame.includes(c)) continue;
    const frames = framesOf(c);
    skipped.push({
      file: c.file,
      reason: frames.length === 0 ? 'it states no Frame of Reference, so its position on this CT cannot be checked' : !ctFrame ? `it is on Frame of Reference ${frames.join(', ')} and the CT states none` : `it is on another Frame of Reference (${frames.join(', ')}), not this CT's (${ctFrame})`,
      why: 'frame-of-reference',
    });
  }
  const pool = onSeries.length ? onSeries : onFrame;
  if (pool.length === 0) {
    const other = skipped.filter((s) => !s.reason.startsWith('it states no'));
    const none = skipped.length - other.length;
    const parts = [
      other.length ? `${plural(other.length, 'is', 'are')} on another Frame of Reference (${candidates.filter((c) => framesOf(c).length).map((c) => `${c.file}: ${framesOf(c).join(', ')}`).join('; ')}) than this CT (${ctFrame || 'none stated'})` : '',
      none ? `${plural(none, 'states', 'state')} no Frame of Reference` : '',
    ].filter(Boolean);
    return {
      chosen: null,
      reason: `${plural(candidates.length, 'RT Structure Set was', 'RT Structure Sets were')} found, but none belongs to this CT: ${parts.join(', and ')}. Its contours would not lie on this scan; load the CT they were drawn on.`,
      skipped,
    };
  }
  const sorted = [...pool].sort((a, b) => {
    const sa = stamp(a);
    const sb = stamp(b);
    if (sa !== sb) return sa < sb ? 1 : -1;
    return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
  });
  const chosen = sorted[0];
  const why = onSeries.length ? 'it was drawn on this CT series' : "it is on this CT's Frame of Reference (drawn on another series of the same scan position)";
  let reason = `${chosen.file}${chosen.label ? ` (${chosen.label})` : ''} was loaded: ${why}.`;
  if (sorted.length > 1) {
    const newest = stamp(chosen);
    const tie = sorted.filter((c) => stamp(c) === newest).length > 1;
    reason += ` ${plural(sorted.length - 1, 'other structure set qualifies', 'other structure sets qualify')} equally; ${newest && !tie ? `this one is the newest (${showStamp(newest)})` : newest ? `they have the same date (${showStamp(newest)}), so the first by file name was taken` : 'none states its date, so the first by file name was taken'}.`;
  }
  for (const c of sorted.slice(1)) skipped.push({ file: c.file, reason: `${chosen.file} was preferred (${stamp(c) && stamp(c) !== stamp(chosen) ? 'newer' : 'first by file name'})`, why: 'other-preferred' });
  for (const c of onFrame) if (onSeries.length) skipped.push({ file: c.file, reason: `it is on this CT's Frame of Reference but drawn on another series; ${chosen.file} was drawn on this one`, why: 'other-preferred' });
  return { chosen, reason, skipped };
}
