/**
 * Builds the distance-to-PTV dose table (dose-baseline.ts) from OpenKBP training patients: the first `--patients`
 * (numeric order) that have a dose.
 *
 *   npx tsx models/training/build-dose-baseline.ts [--data ../shared/data/openkbp/train] [--patients 60] \
 *     [--out models/training/dose-baseline-table.json] [--attribution nearest|all]
 *
 * `--attribution nearest` averages each possible-dose voxel only into the table of its nearest PTV (see
 * TableAttribution); the default, `all`, into every level's table.
 */
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DistanceTableBuilder, loadOpenKbpPatient, openKbpPatientIds } from './dose-baseline.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/openkbp/train' },
    patients: { type: 'string', default: '60' },
    out: { type: 'string', default: 'models/training/dose-baseline-table.json' },
    attribution: { type: 'string', default: 'all' },
  },
});
const wanted = Number(values.patients);
if (!(wanted > 0)) throw new Error(`--patients must be a positive number, not ${values.patients}`);

const hasDose = (id: string) => access(join(values.data!, id, 'dose.nii.gz')).then(() => true, () => false);
if (values.attribution !== 'nearest' && values.attribution !== 'all') throw new Error(`--attribution must be nearest or all, not ${values.attribution}`);
const builder = new DistanceTableBuilder(values.attribution);
const t0 = performance.now();
const skipped: string[] = [];
for (const id of await openKbpPatientIds(values.data!)) {
  if (builder.patients >= wanted) break;
  if (!(await hasDose(id))) {
    skipped.push(id);
    continue;
  }
  builder.add(await loadOpenKbpPatient(values.data!, id));
  process.stdout.write(`${id} `);
}
const table = builder.table();
if (table.patients.length < wanted) throw new Error(`only ${table.patients.length} patients with a dose in ${values.data}, ${wanted} asked`);
await writeFile(values.out!, JSON.stringify(table) + '\n');
console.log(`\n${table.patients.length} patients (${skipped.length ? `skipped without a dose: ${skipped.join(', ')}` : 'none skipped'}), levels ${Object.keys(table.levels).join('/')} Gy, attribution ${table.attribution}, ${((performance.now() - t0) / 1000).toFixed(0)} s → ${values.out}`);
for (const [gy, l] of Object.entries(table.levels)) {
  const at = (mm: number) => l.meanGy[Math.floor((mm - table.minMm) / table.binMm)].toFixed(1);
  console.log(`${gy} Gy: ${at(-10)} Gy at −10 mm, ${at(0)} at 0, ${at(10)} at +10, ${at(30)} at +30, ${at(60)} at +60`);
}
