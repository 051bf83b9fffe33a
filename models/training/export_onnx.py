#!/usr/bin/python3
"""Export the trained hn-oar network to ONNX and record what the engine needs to check it.

    /usr/bin/python3 models/training/export_onnx.py [--checkpoint .training-data/run/best.pt] [--out models/hn-oar]

Writes <out>/model.onnx (opset 17, fp32, dynamic batch and spatial sizes: the engine batches its tiles),
updates onnx.model.{sha256, bytes} in <out>/manifest.json, and writes a parity fixture to
.training-data/parity/ (a batch of real CT tiles and PyTorch's logits for them) that verify_onnx.ts feeds to
ONNX Runtime (onnxruntime-node) to confirm both agree within 1e-3.

A checkpoint of `train.py --task ptv` (one class: the target envelope) gets, when <out> has no manifest yet, a
manifest derived from hn-oar's (same preprocessing and tiling) with the single PTV_Union label, marked as a
proposal for review: export it outside models/ until its validation Dice clears the bar in models/README.md.

A checkpoint of train3d.py (`arch: unet3d`, hn-oar ≥ 0.3) exports the 3D U-Net ([N, 1, Z, Y, X] in, logits out);
its parity fixture is one real 80 × 128 × 128 patch of the same validation patient. With --member2d <train.py
checkpoint> the exported graph is the ensemble of both networks (unet.py `Ensemble3D25D`, what hn-oar 0.3 ships).
The 3D network's transposed convolutions are exported as 1×1×1 convolutions and a depth-to-space (unet.py
`ShuffleUp3D`, identical outputs) so that the model also runs on ONNX Runtime's WebGPU provider.
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
from unet import Ensemble3D25D, UNet2D, UNet3D, webgpu_friendly  # noqa: E402
from train import Patient, crop, normalise, PAD_HU  # noqa: E402


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser()
    ap.add_argument('--checkpoint', default=os.path.join(repo, '.training-data', 'run', 'best.pt'))
    ap.add_argument('--out', default=os.path.join(repo, 'models', 'hn-oar'))
    ap.add_argument('--parity', default=os.path.join(repo, '.training-data', 'parity'))
    ap.add_argument('--member2d', help='a train.py (2.5D) checkpoint to ensemble with a train3d.py checkpoint')
    ap.add_argument('--keep-convtranspose', action='store_true',
                    help='export 3D up-sampling as ConvTranspose (ONNX Runtime 1.30 cannot run it on WebGPU; see unet.ShuffleUp3D)')
    a = ap.parse_args()
    torch.set_num_threads(2)
    state = torch.load(a.checkpoint, map_location='cpu')
    classes = state.get('classes', 8)
    is3d = state.get('arch') == 'unet3d'
    if is3d:
        model = UNet3D(classes=classes, base=state['base'], levels=state['levels'])
    else:
        model = UNet2D(classes=classes, base=state['base'])
    # train3d.py stores fp16 weights (a device run brings back small files); the exported network is fp32.
    model.load_state_dict({k: (v.float() if v.is_floating_point() else v) for k, v in state['model'].items()})
    if a.member2d:
        assert is3d, '--member2d ensembles a 2.5D network with a 3D one: --checkpoint must be a train3d.py checkpoint'
        s2 = torch.load(a.member2d, map_location='cpu')
        net2d = UNet2D(classes=s2.get('classes', 8), base=s2['base'])
        net2d.load_state_dict(s2['model'])
        model = Ensemble3D25D(model, net2d)
    if is3d and not a.keep_convtranspose:
        webgpu_friendly(model)  # the same numbers, in operators ONNX Runtime's WebGPU provider runs
    model.eval()
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, 'model.onnx')
    if is3d:
        dummy = torch.zeros(1, 1, 80, 128, 128)
        axes = {0: 'batch', 2: 'depth', 3: 'height', 4: 'width'}
    else:
        dummy = torch.zeros(2, 3, 128, 128)
        axes = {0: 'batch', 2: 'height', 3: 'width'}
    torch.onnx.export(
        model, dummy, path, opset_version=17, input_names=['ct'], output_names=['logits'],
        dynamic_axes={'ct': axes, 'logits': axes}, do_constant_folding=True,
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
    if is3d:
        # One 80 × 128 × 128 patch around the organs' centre slice, padded with air like the engine pads.
        zc = int(p.fg_z.mean()) if len(p.fg_z) else p.ct.shape[0] // 2
        r0, c0 = int(p.centre[zc][0]) - 64, int(p.centre[zc][1]) - 64
        slab = np.full((80,) + p.ct.shape[1:], np.int16(PAD_HU), dtype=np.int16)
        z0 = zc - 40
        zs, ze = max(0, z0), min(p.ct.shape[0], z0 + 80)
        slab[zs - z0:ze - z0] = p.ct[zs:ze]
        x = normalise(crop(slab, r0, c0, 128, np.int16(PAD_HU))[None, None]).astype(np.float32)
    else:
        zs = np.linspace(p.fg_z.min(), p.fg_z.max(), 4).astype(int) if len(p.fg_z) else [10, 20, 30, 40]
        x = np.stack([crop(p.slab(int(z)), int(p.centre[z][0]) - 64, int(p.centre[z][1]) - 64, 128, np.int16(PAD_HU)) for z in zs])
        x = normalise(x).astype(np.float32)
    with torch.no_grad():
        y = model(torch.from_numpy(x)).numpy().astype(np.float32)
    x.tofile(os.path.join(a.parity, 'input.f32'))
    y.tofile(os.path.join(a.parity, 'torch_logits.f32'))
    json.dump({'input_dims': list(x.shape), 'output_dims': list(y.shape), 'checkpoint': os.path.relpath(a.checkpoint, repo),
               'member2d': a.member2d and os.path.relpath(a.member2d, repo),
               'step': state.get('step'), 'val': state.get('val')}, open(os.path.join(a.parity, 'meta.json'), 'w'), indent=1)
    print(f'wrote {path} ({len(data) / 1e6:.2f} MB, sha256 {sha}); parity fixture in {a.parity}')


if __name__ == '__main__':
    main()
