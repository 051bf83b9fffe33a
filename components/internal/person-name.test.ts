import { test } from 'node:test';
import assert from 'node:assert/strict';
import { personName } from './person-name.ts';

test('a DICOM person name reads "Family, Given Middle"', () => {
  assert.equal(personName('DOE^JANE'), 'DOE, JANE');
  assert.equal(personName('Doe^Jane^Q^Dr^PhD'), 'Doe, Dr Jane Q PhD');
  assert.equal(personName('Doe^Jane=山田^太郎'), 'Doe, Jane');
});

test('names without components are kept as they are', () => {
  assert.equal(personName('Anonymous'), 'Anonymous');
  assert.equal(personName('^Jane'), 'Jane');
  assert.equal(personName(''), '');
});
