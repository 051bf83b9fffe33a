import type { RoiInterpretedType, Rgb } from './structure.ts';

/**
 * AAPM TG-263 standard structure names (Mayo et al., "American Association of Physicists in Medicine Task
 * Group 263: Standardizing Nomenclatures in Radiation Oncology", IJROBP 2018) for the structures our models
 * produce and the organs at risk and targets a head-and-neck or thorax plan uses, with the RT ROI
 * interpreted type and a display colour for each. TG-263 names no colours; ours are saturated (no channel
 * spread under 100) so that an outline stays visible on every grey of a CT window, bone included, and
 * neighbours (cord in its canal, parotid beside the mandible) differ in hue. Target names follow TG-263's rules (GTV, CTV, PTV with
 * optional suffixes such as PTV_5600 or CTVn).
 */
export interface Tg263Entry {
  readonly name: string;
  readonly description: string;
  readonly interpretedType: RoiInterpretedType;
  readonly color: Rgb;
  /** Lower-case spellings seen in clinical files that mean this structure. */
  readonly synonyms: readonly string[];
}

export const TG263: readonly Tg263Entry[] = [
  { name: 'External', description: 'Body outline', interpretedType: 'EXTERNAL', color: [0, 160, 80], synonyms: ['body', 'patient', 'skin', 'outline', 'external', 'ext'] },
  { name: 'Brainstem', description: 'Brainstem', interpretedType: 'ORGAN', color: [255, 128, 0], synonyms: ['brain stem', 'brainstem'] },
  { name: 'SpinalCord', description: 'Spinal cord', interpretedType: 'ORGAN', color: [255, 255, 0], synonyms: ['spinal cord', 'cord', 'spinalcord', 'spinal_cord'] },
  { name: 'Parotid_L', description: 'Left parotid gland', interpretedType: 'ORGAN', color: [0, 200, 255], synonyms: ['parotid l', 'l parotid', 'left parotid', 'leftparotid', 'parotid_lt', 'lt parotid'] },
  { name: 'Parotid_R', description: 'Right parotid gland', interpretedType: 'ORGAN', color: [0, 120, 255], synonyms: ['parotid r', 'r parotid', 'right parotid', 'rightparotid', 'parotid_rt', 'rt parotid'] },
  { name: 'Esophagus', description: 'Oesophagus', interpretedType: 'ORGAN', color: [200, 120, 80], synonyms: ['oesophagus', 'esophagus', 'esoph'] },
  { name: 'Larynx', description: 'Larynx', interpretedType: 'ORGAN', color: [160, 80, 255], synonyms: ['larynx'] },
  { name: 'Bone_Mandible', description: 'Mandible', interpretedType: 'ORGAN', color: [225, 150, 0], synonyms: ['mandible', 'jaw', 'bone mandible'] },
  { name: 'Lung_L', description: 'Left lung', interpretedType: 'ORGAN', color: [80, 160, 255], synonyms: ['lung l', 'l lung', 'left lung', 'lung_lt', 'lt lung'] },
  { name: 'Lung_R', description: 'Right lung', interpretedType: 'ORGAN', color: [60, 100, 220], synonyms: ['lung r', 'r lung', 'right lung', 'lung_rt', 'rt lung'] },
  { name: 'Lungs', description: 'Both lungs', interpretedType: 'ORGAN', color: [70, 130, 240], synonyms: ['lungs', 'lung total', 'total lung', 'lung'] },
  { name: 'Heart', description: 'Heart', interpretedType: 'ORGAN', color: [220, 40, 60], synonyms: ['heart'] },
  { name: 'Bone', description: 'Bones', interpretedType: 'ORGAN', color: [200, 150, 255], synonyms: ['bones', 'bone', 'skeleton'] },
  { name: 'Trachea', description: 'Trachea', interpretedType: 'ORGAN', color: [120, 220, 220], synonyms: ['trachea'] },
  { name: 'Liver', description: 'Liver', interpretedType: 'ORGAN', color: [150, 75, 40], synonyms: ['liver'] },
  { name: 'Kidney_L', description: 'Left kidney', interpretedType: 'ORGAN', color: [190, 100, 60], synonyms: ['kidney l', 'left kidney'] },
  { name: 'Kidney_R', description: 'Right kidney', interpretedType: 'ORGAN', color: [170, 90, 50], synonyms: ['kidney r', 'right kidney'] },
  { name: 'Glnd_Submand_L', description: 'Left submandibular gland', interpretedType: 'ORGAN', color: [100, 220, 160], synonyms: ['submandibular l', 'left submandibular'] },
  { name: 'Glnd_Submand_R', description: 'Right submandibular gland', interpretedType: 'ORGAN', color: [80, 200, 140], synonyms: ['submandibular r', 'right submandibular'] },
  { name: 'OpticChiasm', description: 'Optic chiasm', interpretedType: 'ORGAN', color: [255, 100, 200], synonyms: ['chiasm', 'optic chiasm'] },
  { name: 'Brain', description: 'Brain', interpretedType: 'ORGAN', color: [250, 140, 90], synonyms: ['brain'] },
  { name: 'GTV', description: 'Gross tumour volume', interpretedType: 'GTV', color: [255, 0, 0], synonyms: ['gtv'] },
  { name: 'CTV', description: 'Clinical target volume', interpretedType: 'CTV', color: [255, 128, 128], synonyms: ['ctv'] },
  { name: 'PTV', description: 'Planning target volume', interpretedType: 'PTV', color: [255, 0, 255], synonyms: ['ptv'] },
];

const BY_NAME = new Map(TG263.map((e) => [e.name.toLowerCase(), e]));

/** The TG-263 entry of an exact standard name (case-insensitive), or undefined. */
export const tg263Entry = (name: string): Tg263Entry | undefined => BY_NAME.get(name.toLowerCase());

/**
 * The TG-263 standard name a clinical structure name most likely means, or undefined. Exact standard names
 * and known synonyms match ("Lung L" → Lung_L, "Patient" → External, "Spinal cord" → SpinalCord); target
 * names keep their suffix under TG-263's target rules ("PTV-1" → PTV_1, "GTV_p" → GTV_p, "CTV 54" → CTV_54).
 * Anything else is left alone: guessing wrong is worse than not guessing.
 */
export function suggestStandardName(name: string): string | undefined {
  const clean = name.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
  const exact = BY_NAME.get(name.trim().toLowerCase());
  if (exact) return exact.name;
  for (const e of TG263) if (e.synonyms.includes(clean)) return e.name;
  const target = /^(gtv|ctv|ptv|itv)(?:[\s_-]*([a-z0-9]+(?:[\s_-][a-z0-9]+)*))?$/i.exec(name.trim());
  if (target) {
    const base = target[1].toUpperCase();
    const suffix = target[2]?.replace(/[\s-]+/g, '_');
    return suffix ? `${base}_${suffix}` : base;
  }
  return undefined;
}
