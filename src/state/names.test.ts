import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileSafe, rtstructFileName, stamp, uniqueName } from './names.ts';

describe('uniqueName', () => {
  it('keeps a free name and numbers a taken one from _2, skipping numbers in use', () => {
    const taken = new Set(['Lung_L', 'Lung_L_2']);
    assert.equal(uniqueName('Heart', taken), 'Heart');
    assert.equal(uniqueName('Lung_L', taken), 'Lung_L_3');
    assert.equal(uniqueName('Heart', taken), 'Heart_2', 'a name given joins the taken set');
    assert.deepEqual([...taken].sort(), ['Heart', 'Heart_2', 'Lung_L', 'Lung_L_2', 'Lung_L_3']);
  });

  it('with `first` numbers even a free name, from that number', () => {
    assert.equal(uniqueName('PTV', new Set(), 2), 'PTV_2');
    assert.equal(uniqueName('PTV', new Set(['PTV_2']), 2), 'PTV_3');
    assert.equal(uniqueName('Structure', new Set(['Structure'])), 'Structure_2');
  });
});

describe('export file names', () => {
  it('fileSafe keeps letters, digits, dot, underscore and dash, joins the rest into one underscore, trims and caps the length', () => {
    assert.equal(fileSafe('DOE^JANE 123'), 'DOE_JANE_123');
    assert.equal(fileSafe('  /weird:/ name.v2-a  '), 'weird_name.v2-a');
    assert.equal(fileSafe('é'), 'delineo');
    assert.equal(fileSafe('x'.repeat(60)).length, 48);
  });

  it('stamp is the local date and time, zero-padded, sortable', () => {
    assert.equal(stamp(new Date(2024, 0, 5, 7, 8, 9)), '20240105-070809');
    assert.equal(stamp(new Date(2031, 11, 31, 23, 59, 58)), '20311231-235958');
  });

  it('names an RTSTRUCT after the patient ID, else the CT, with the time of export', () => {
    const at = new Date(2024, 5, 1, 12, 0, 0);
    assert.equal(rtstructFileName({ identity: { patientId: 'HN-042' }, name: 'CT head' }, at), 'RS_HN-042_20240601-120000.dcm');
    assert.equal(rtstructFileName({ identity: {}, name: 'CT head' }, at), 'RS_CT_head_20240601-120000.dcm');
    assert.equal(rtstructFileName({ identity: { patientId: '' }, name: '' }, at), 'RS_delineo_20240601-120000.dcm');
  });
});
