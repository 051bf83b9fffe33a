#!/usr/bin/python3
"""Generate the tiny 3D test model (test/fixtures/models/tiny-3d/): a differently shaped network than hn-oar
(3D patches [N, 1, Z, Y, X] instead of 2.5D slices) whose output is known analytically, so a test can check
the engine's whole 3D path (tiling in z, Gaussian blending, resampling back) against a threshold.

Network: m = 3×3×3 mean of the normalised CT (zero padding), then 1×1×1 logits
  background 0, tissue 50 (m + 0.3), bone 50 (m + 0.3) + 100 (m − 0.3)
so with normalisation x = clip(HU, −1000, 1000) / 1000: tissue where −0.3 < m ≤ 0.3 (−300 < HU ≤ 300 in a
uniform region), bone where m > 0.3, background below.

    /usr/bin/python3 models/training/make_test_model.py
"""
import hashlib
import json
import os

import torch
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(os.path.dirname(os.path.dirname(here)), 'test', 'fixtures', 'models', 'tiny-3d')
os.makedirs(out, exist_ok=True)


class Tiny3d(nn.Module):
    def __init__(self):
        super().__init__()
        self.mean = nn.Conv3d(1, 1, 3, padding=1, bias=False)
        self.head = nn.Conv3d(1, 3, 1)
        with torch.no_grad():
            self.mean.weight.fill_(1 / 27)
            self.head.weight[:, 0, 0, 0, 0] = torch.tensor([0.0, 50.0, 150.0])
            self.head.bias[:] = torch.tensor([0.0, 15.0, 15.0 - 30.0])

    def forward(self, x):
        return self.head(self.mean(x))


model = Tiny3d().eval()
path = os.path.join(out, 'model.onnx')
torch.onnx.export(model, torch.zeros(1, 1, 16, 32, 32), path, opset_version=17, input_names=['image'], output_names=['scores'],
                  dynamic_axes={'image': {0: 'n', 2: 'z', 3: 'y', 4: 'x'}, 'scores': {0: 'n', 2: 'z', 3: 'y', 4: 'x'}})
data = open(path, 'rb').read()
manifest = {
    'schema': 'delineo-model/1',
    'id': 'tiny-3d',
    'name': 'Tiny 3D threshold network (test fixture)',
    'version': '1.0.0',
    'description': 'A 3D conv net with hand-set weights: tissue (−300…300 HU) and bone (> 300 HU) after a 3×3×3 mean. Tests the 3D path of the engine.',
    'kind': 'onnx',
    'modality': 'CT',
    'license': 'Apache-2.0',
    'modelCard': 'models/training/make_test_model.py',
    'labels': [
        {'value': 1, 'name': 'Tissue', 'interpretedType': 'ORGAN', 'color': [200, 150, 120]},
        {'value': 2, 'name': 'Bone', 'standardName': 'Bone', 'interpretedType': 'ORGAN', 'color': [240, 240, 220], 'postprocess': {'largestComponent': True}},
    ],
    'onnx': {
        'model': {'file': 'model.onnx', 'sha256': hashlib.sha256(data).hexdigest(), 'bytes': len(data), 'inputName': 'image',
                  'outputName': 'scores', 'classes': 3, 'divisibleBy': 1},
        'orientation': 'LPS',
        'spacing': [2, 2, 2],
        'intensity': {'clip': [-1000, 1000], 'mean': 0, 'std': 1000},
        'layout': {'kind': '3d'},
        'patch': [24, 24, 16],
        'overlap': 0.5,
        'gaussianSigma': 0.125,
        'batch': 2,
        'padHu': -1024,
        'mirror': [{'axis': 'z'}],
    },
}
json.dump(manifest, open(os.path.join(out, 'manifest.json'), 'w'), indent=2)
open(os.path.join(out, 'manifest.json'), 'a').write('\n')
print(f'wrote {path} ({len(data)} bytes)')


# tiny-3d-upsample: the same thresholds on a 2 × 2 × 2 block average of the CT, with a 3D transposed convolution
# to go back to full resolution (strided 2×2×2 mean, ConvTranspose3d with unit weights = nearest up-sampling).
# ONNX Runtime 1.30's WebGPU provider cannot run a 3D ConvTranspose, so this fixture tests the engine's fallback
# from WebGPU to WASM (src/inference/segment.webgpu.browser.test.ts); on WASM it segments like tiny-3d.
class Tiny3dUpsample(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Conv3d(1, 1, 2, stride=2, bias=False)
        self.up = nn.ConvTranspose3d(1, 1, 2, stride=2, bias=False)
        self.inner = Tiny3d()
        with torch.no_grad():
            self.down.weight.fill_(1 / 8)
            self.up.weight.fill_(1.0)

    def forward(self, x):
        return self.inner(self.up(self.down(x)))


out_up = os.path.join(os.path.dirname(out), 'tiny-3d-upsample')
os.makedirs(out_up, exist_ok=True)
path_up = os.path.join(out_up, 'model.onnx')
torch.onnx.export(Tiny3dUpsample().eval(), torch.zeros(1, 1, 16, 32, 32), path_up, opset_version=17, input_names=['image'],
                  output_names=['scores'], dynamic_axes={'image': {0: 'n', 2: 'z', 3: 'y', 4: 'x'}, 'scores': {0: 'n', 2: 'z', 3: 'y', 4: 'x'}})
data_up = open(path_up, 'rb').read()
manifest_up = json.loads(json.dumps(manifest))
manifest_up.update({
    'id': 'tiny-3d-upsample',
    'name': 'Tiny 3D threshold network with a transposed convolution (test fixture)',
    'description': 'tiny-3d on a 2×2×2 block average of the CT, back to full resolution through a 3D ConvTranspose, which '
                   'ONNX Runtime 1.30 cannot run on WebGPU. Tests the fallback from WebGPU to WASM.',
})
manifest_up['onnx']['model'].update({'sha256': hashlib.sha256(data_up).hexdigest(), 'bytes': len(data_up), 'divisibleBy': 2})
json.dump(manifest_up, open(os.path.join(out_up, 'manifest.json'), 'w'), indent=2)
open(os.path.join(out_up, 'manifest.json'), 'a').write('\n')
print(f'wrote {path_up} ({len(data_up)} bytes)')
