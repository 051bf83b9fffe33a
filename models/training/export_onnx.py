#!/usr/bin/python3
"""Export the trained hn-oar network to ONNX and record what the engine needs to check it.

    /usr/bin/python3 models/training/export_onnx.py [--checkpoint .training-data/run/best.pt] [--out models/hn-oar]

Writes <out>/model.onnx (opset 17, fp32, dynamic batch/height/width: the engine batches 128×128 tiles),
updates onnx.model.{sha256, bytes} in <out>/manifest.json, and writes a parity fixture to
.training-data/parity/ (a batch of real CT tiles and PyTorch's logits for them) that verify_onnx.ts feeds to
ONNX Runtime (onnxruntime-node) to confirm both agree within 1e-3.

A checkpoint of `train.py --task ptv` (one class: the target envelope) gets, when <out> has no manifest yet, a
manifest derived from hn-oar's (same preprocessing and tiling) with the single PTV_Union label, marked as a
proposal for review: export it outside models/ until its validation Dice clears the bar in models/README.md.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet import UNet2D  # noqa: E402
from train import Patient, crop, normalise, PAD_HU  # noqa: E402


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser()
    ap.add_argument('--checkpoint', default=os.path.join(repo, '.training-data', 'run', 'best.pt'))
    ap.add_argument('--out', default=os.path.join(repo, 'models', 'hn-oar'))
    ap.add_argument('--parity', default=os.path.join(repo, '.training-data', 'parity'))
    a = ap.parse_args()
    torch.set_num_threads(2)
    state = torch.load(a.checkpoint, map_location='cpu')
    classes = state.get('classes', 8)
    model = UNet2D(classes=classes, base=state['base'])
    model.load_state_dict(state['model'])
    model.eval()
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, 'model.onnx')
    dummy = torch.zeros(2, 3, 128, 128)
    torch.onnx.export(
        model, dummy, path, opset_version=17, input_names=['ct'], output_names=['logits'],
        dynamic_axes={'ct': {0: 'batch', 2: 'height', 3: 'width'}, 'logits': {0: 'batch', 2: 'height', 3: 'width'}},
        do_constant_folding=True,
    )
    onnx.checker.check_model(onnx.load(path))
    data = open(path, 'rb').read()
    sha = hashlib.sha256(data).hexdigest()
    man_path = os.path.join(a.out, 'manifest.json')
    if not os.path.exists(man_path) and state.get('task') == 'ptv':
        man = json.load(open(os.path.join(repo, 'models', 'hn-oar', 'manifest.json')))
        man.update({
            'id': 'hn-target-proposal',
            'name': 'Head-and-neck elective target envelope (PROPOSAL for review)',
            'version': '0.1.0',
            'description': 'A proposal of the whole elective target envelope (the union of OpenKBP\'s PTV56, PTV63 and PTV70) from a '
                           'planning CT, for a clinician to review and edit; never a target by itself. See MODEL_CARD.md.',
        })
        man['labels'] = [{'value': 1, 'name': 'PTV_Union', 'standardName': 'PTV_Union', 'interpretedType': 'PTV',
                          'color': [255, 0, 0], 'postprocess': {'largestComponent': True, 'fillHoles': '2d'}}]
        man['onnx']['model']['classes'] = classes
        json.dump(man, open(man_path, 'w'), indent=2)
    if os.path.exists(man_path):
        man = json.load(open(man_path))
        man['onnx']['model']['sha256'] = sha
        man['onnx']['model']['bytes'] = len(data)
        json.dump(man, open(man_path, 'w'), indent=2)
        open(man_path, 'a').write('\n')
    # Parity fixture: 4 real tiles from a validation patient (not synthetic noise: real activations exercise
    # the whole dynamic range of the network).
    os.makedirs(a.parity, exist_ok=True)
    p = Patient(os.path.join(repo, '.training-data', 'openkbp-validation', 'pt_201.npz'))
    zs = np.linspace(p.fg_z.min(), p.fg_z.max(), 4).astype(int) if len(p.fg_z) else [10, 20, 30, 40]
    x = np.stack([crop(p.slab(int(z)), int(p.centre[z][0]) - 64, int(p.centre[z][1]) - 64, 128, np.int16(PAD_HU)) for z in zs])
    x = normalise(x).astype(np.float32)
    with torch.no_grad():
        y = model(torch.from_numpy(x)).numpy().astype(np.float32)
    x.tofile(os.path.join(a.parity, 'input.f32'))
    y.tofile(os.path.join(a.parity, 'torch_logits.f32'))
    json.dump({'input_dims': list(x.shape), 'output_dims': list(y.shape), 'checkpoint': os.path.relpath(a.checkpoint, repo),
               'step': state.get('step'), 'val': state.get('val')}, open(os.path.join(a.parity, 'meta.json'), 'w'), indent=1)
    print(f'wrote {path} ({len(data) / 1e6:.2f} MB, sha256 {sha}); parity fixture in {a.parity}')


if __name__ == '__main__':
    main()
