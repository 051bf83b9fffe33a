import { test } from 'node:test';
import assert from 'node:assert/strict';
import { personName } from './person-name.ts';

test('a DICOM person name reads "Family, Given Middle"', () => {
  assert.equal(personName('Doe^John'), 'Doe, John');
  assert.equal(personName('DOE^JANE'), 'DOE, JANE');
  assert.equal(personName('Doe^Jane^Q'), 'Doe, Jane Q');
});

test('prefix and suffix go around the given names', () => {
  assert.equal(personName('Doe^Jane^Q^Dr^PhD'), 'Doe, Dr Jane Q PhD');
  assert.equal(personName('Doe^John^^Dr^Jr'), 'Doe, Dr John Jr');
});

test('of alphabetic=ideographic=phonetic groups only the first one is shown, never a fragment of the others', () => {
  assert.equal(personName('Yamada^Tarou=山田^太郎=やまだ^たろう'), 'Yamada, Tarou');
  assert.equal(personName('Doe^Jane=山田^太郎'), 'Doe, Jane');
  assert.equal(personName('=山田^太郎=やまだ^たろう'), '山田, 太郎', 'an empty alphabetic group: the ideographic one');
});

test('trailing carets, padding and empty components are dropped', () => {
  assert.equal(personName('Doe^John^^^'), 'Doe, John');
  assert.equal(personName('Doe^^^^'), 'Doe');
  assert.equal(personName('Doe^John \0'), 'Doe, John');
  assert.equal(personName('^^^^'), '');
});

test('names without components are kept as they are; empty is empty', () => {
  assert.equal(personName('Anonymous'), 'Anonymous');
  assert.equal(personName('^Jane'), 'Jane');
  assert.equal(personName(''), '');
});

test('HTML-like text stays text (rendering escapes it); its "=" separates groups as in any PN', () => {
  assert.equal(personName('<b>Doe</b>^John'), '<b>Doe</b>, John');
  assert.equal(personName('<img src=x onerror=alert(1)>^John'), '<img src');
});
