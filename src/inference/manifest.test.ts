import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ManifestError, validateManifest } from './manifest.ts';
import { RULE_MODELS } from './rules/index.ts';
import { chooseExecutionProvider } from './provider.ts';

const hn = JSON.parse(readFileSync(new URL('../../models/hn-oar/manifest.json', import.meta.url), 'utf8'));
const tiny = JSON.parse(readFileSync(new URL('../../test/fixtures/models/tiny-3d/manifest.json', import.meta.url), 'utf8'));

describe('model manifest', () => {
  it('accepts the shipped, the rule-based and the test manifests', () => {
    assert.equal(validateManifest(hn).id, 'hn-oar');
    assert.equal(validateManifest(tiny).onnx?.layout.kind, '3d');
    for (const m of RULE_MODELS) assert.equal(validateManifest(JSON.parse(JSON.stringify(m))).kind, 'rules');
  });

  it('reports every problem with its path', () => {
    const bad = structuredClone(hn);
    bad.modality = 'MR';
    bad.labels[1].value = 1;
    bad.labels[2].color = [300, 0, 0];
    bad.labels[3].value = 9;
    bad.onnx.model.sha256 = 'xyz';
    bad.onnx.patch = [100, 128];
    bad.onnx.intensity.std = 0;
    try {
      validateManifest(bad, 'manifest.json');
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof ManifestError);
      assert.equal(e.code, 'invalid-manifest');
      const all = e.problems.join('\n');
      for (const needle of ['modality', 'labels[1].value 1 is used twice', 'labels[2].color', 'label value 9 is not an output channel', 'sha256', 'multiples of onnx.model.divisibleBy', 'intensity.std']) {
        assert.ok(all.includes(needle), `missing "${needle}" in\n${all}`);
      }
      assert.ok(e.message.startsWith('manifest.json: '));
    }
  });

  it('rejects non-objects, wrong layouts and a z mirror on a 2.5D model', () => {
    assert.throws(() => validateManifest([]), ManifestError);
    const bad = structuredClone(hn);
    bad.onnx.layout = { kind: '4d' };
    assert.throws(() => validateManifest(bad), /layout.kind/);
    const z = structuredClone(hn);
    z.onnx.layout = { kind: '2.5d', contextSlices: 1 };
    z.onnx.patch = [96, 96];
    z.onnx.mirror = [{ axis: 'z' }];
    assert.throws(() => validateManifest(z), /mirror\[0\].axis/);
    // hn-oar ≥ 0.3 is 3D: a z mirror is a valid test-time augmentation there.
    const z3 = structuredClone(hn);
    z3.onnx.mirror = [{ axis: 'z' }];
    assert.equal(validateManifest(z3).onnx?.mirror?.[0].axis, 'z');
    const rules = structuredClone(hn);
    rules.kind = 'rules';
    assert.throws(() => validateManifest(rules), /onnx must be absent/);
  });
});

describe('execution provider choice', () => {
  const base = { webgpu: false, adapter: null, crossOriginIsolated: false, hardwareConcurrency: 8 };
  it('uses WebGPU only with a real (non-fallback) adapter', () => {
    assert.equal(chooseExecutionProvider({ ...base, webgpu: true, adapter: { isFallbackAdapter: false } }).provider, 'webgpu');
    const fb = chooseExecutionProvider({ ...base, webgpu: true, adapter: { isFallbackAdapter: true }, crossOriginIsolated: true });
    assert.equal(fb.provider, 'wasm');
    assert.match(fb.reason, /software fallback/);
    assert.equal(fb.threads, 4);
  });
  it('uses WASM threads only when cross-origin isolated', () => {
    assert.deepEqual(
      [chooseExecutionProvider({ ...base, crossOriginIsolated: true, hardwareConcurrency: 2 }).threads, chooseExecutionProvider(base).threads],
      [2, 1],
    );
    assert.match(chooseExecutionProvider(base).reason, /not cross-origin isolated/);
    assert.equal(chooseExecutionProvider({ ...base, crossOriginIsolated: true, hardwareConcurrency: 1 }).threads, 1);
  });
  it('honours an override, but cannot give threads without isolation', () => {
    assert.equal(chooseExecutionProvider({ ...base, webgpu: true, adapter: { isFallbackAdapter: false } }, { provider: 'wasm' }).provider, 'wasm');
    assert.equal(chooseExecutionProvider(base, { provider: 'wasm', threads: 8 }).threads, 1);
    assert.equal(chooseExecutionProvider({ ...base, crossOriginIsolated: true }, { provider: 'wasm', threads: 3 }).threads, 3);
    assert.match(chooseExecutionProvider(base, { provider: 'webgpu' }).reason, /user/);
  });
  it('spreads WASM threads over single-threaded tile workers unless told not to', () => {
    const iso = { ...base, crossOriginIsolated: true, hardwareConcurrency: 2 };
    const pooled = chooseExecutionProvider(iso);
    assert.deepEqual([pooled.provider, pooled.threads, pooled.workers], ['wasm', 2, 2]);
    assert.match(pooled.reason, /2 single-threaded tile workers/);
    const one = chooseExecutionProvider(iso, { tileWorkers: false });
    assert.deepEqual([one.threads, one.workers], [2, 1]);
    assert.doesNotMatch(one.reason, /tile workers/);
    // One thread, or WebGPU: no pool.
    assert.equal(chooseExecutionProvider(base).workers, 1);
    assert.equal(chooseExecutionProvider({ ...iso, webgpu: true, adapter: { isFallbackAdapter: false } }).workers, 1);
    assert.equal(chooseExecutionProvider(iso, { provider: 'wasm', threads: 3 }).workers, 3);
  });
});
