#!/usr/bin/python3
"""Export a DoseUNet (dose_unet.py) to ONNX for the dose engine (src/inference/dose-prediction.ts).

    /usr/bin/python3 models/training/export_dose_onnx.py --checkpoint .training-data/dose-run/best.pt --out models/hn-dose
    /usr/bin/python3 models/training/export_dose_onnx.py --random --base 2 --stem 2 --levels 3 --out test/fixtures/models/tiny-dose

A checkpoint is a torch file {'state_dict': ..., 'args': {'base': int, 'stem': int, 'levels': int}}; --random makes
a seeded network with random weights (and random BatchNorm statistics, so the folding below is exercised) for tests.

What is exported, and checked before the file is written:
- BatchNorm folded into the convolution before it (eval mode), so the graph is convolutions and activations only;
- kernel-2 stride-2 ConvTranspose3d as a 1×1×1 convolution and a depth-to-space (unet.py ShuffleUp3D, the same
  numbers), the operators ONNX Runtime's WebGPU provider runs;
- both rewrites are compared with the trained network on a parity input: at most 1e-3 Gy apart (float32 sums in another order), else no export;
- opset 17, float32, input "inputs" [N, 9, Z, Y, X] and output "dose" [N, 1, Z, Y, X] with dynamic N, Z, Y, X;
- onnx.checker when the onnx package is installed (the GPU machine has it; Debian's torch here does not ship it:
  then ONNX Runtime's load in the engine's tests is the check).

Writes <out>/model.onnx, and <out>/manifest.json: a present manifest gets onnx sha256/bytes updated, otherwise one
is written with the hn-dose contract's values (--id, --version). Writes <out>/parity.f32: PyTorch's dose for the
parity input (parity_input below, a formula the engine's test rebuilds in TypeScript) at 16 × 16 × 16 voxels, so
a test checks ONNX Runtime against PyTorch without Python.
"""
import argparse
import copy
import hashlib
import json
import os
import sys

import numpy as np
import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dose_unet import DoseUNet, IN_CHANNELS, DOSE_SCALE_GY  # noqa: E402
from unet import ShuffleUp3D  # noqa: E402

OAR_CHANNELS = ['Brainstem', 'SpinalCord', 'Parotid_R', 'Parotid_L', 'Esophagus', 'Larynx', 'Bone_Mandible']
PARITY_SIZE = 16  # Z = Y = X of the parity input (one multiple of the network's 16)


def parity_input(n: int = PARITY_SIZE) -> np.ndarray:
    """A deterministic [1, 9, n, n, n] input shaped like real ones: channel 0 a CT-like value in [-2, 2], channel 1 a
    prescription block (70 Gy / 70 = 1 in a cube, 56/70 in another), channels 2–8 masks. The TypeScript test
    (src/inference/dose-node.test.ts) builds the same array from the same formula."""
    x = np.zeros((1, IN_CHANNELS, n, n, n), dtype=np.float64)
    z, y, xx = np.meshgrid(np.arange(n), np.arange(n), np.arange(n), indexing='ij')
    x[0, 0] = 2 * np.sin(0.37 * xx + 0.23 * y + 0.11 * z)
    x[0, 1] = np.where((abs(xx - 6) <= 3) & (abs(y - 7) <= 3) & (abs(z - 8) <= 3), 1.0, 0.0)
    x[0, 1] = np.where((x[0, 1] == 0) & (abs(xx - 11) <= 2) & (abs(y - 9) <= 2) & (abs(z - 8) <= 4), 0.8, x[0, 1])
    for c in range(7):
        x[0, 2 + c] = np.where(((xx + 2 * y + 3 * z + 5 * c) % 11) < 3, 1.0, 0.0)
    return x.astype(np.float32)


def fold_batchnorm(module: nn.Module) -> nn.Module:
    """Folds every BatchNorm3d that follows a Conv3d in a Sequential into that convolution (eval mode); returns
    the module with its Sequentials replaced."""
    if isinstance(module, nn.Sequential):
        layers, out, i = list(module), [], 0
        while i < len(layers):
            if i + 1 < len(layers) and isinstance(layers[i], nn.Conv3d) and isinstance(layers[i + 1], nn.BatchNorm3d):
                out.append(fuse_conv_bn_eval(layers[i], layers[i + 1]))
                i += 2
            else:
                out.append(fold_batchnorm(layers[i]))
                i += 1
        return nn.Sequential(*out)
    for name, child in list(module.named_children()):
        setattr(module, name, fold_batchnorm(child))
    return module


def webgpu_friendly_dose(model: DoseUNet) -> DoseUNet:
    """DoseUNet's transposed convolutions (decoder and the last one back to the model grid) as ShuffleUp3D."""
    model.up = nn.ModuleList([ShuffleUp3D(u) for u in model.up])
    model.up0 = ShuffleUp3D(model.up0)
    return model


def randomise(model: DoseUNet, seed: int) -> None:
    """Random weights with non-trivial BatchNorm statistics (so folding them changes the numbers)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv3d, nn.ConvTranspose3d)):
                fan_in = m.weight[0].numel() if isinstance(m, nn.Conv3d) else m.weight.shape[0]
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (2.0 / fan_in) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            elif isinstance(m, nn.BatchNorm3d):
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1 + 0.05)
        # Doses of a few tens of Gy, as a real plan's: float32 differences between runtimes grow with the values.
        model.head[-1].weight.mul_(0.5)


def contract_manifest(model_id: str, version: str, sha: str, size: int, random: bool) -> dict:
    """The hn-dose contract's manifest (docs/dose.md, "Dose prediction"; validated by src/inference/dose-manifest.ts)."""
    return {
        'schema': 'delineo-model/1',
        'id': model_id,
        'name': 'Tiny random dose network (test fixture)' if random else 'Head-and-neck dose prediction (OpenKBP)',
        'version': version,
        'description': ('DoseUNet with random weights: tests the dose engine end to end; its doses mean nothing.' if random else
                        'Predicts the dose (Gy) a head-and-neck plan in the OpenKBP style would give, from the CT, the PTVs '
                        'coded by their prescription and seven OARs. A prediction, not a plan: see MODEL_CARD.md.'),
        'kind': 'dose',
        'modality': 'CT',
        'license': 'Apache-2.0',
        'modelCard': 'models/training/export_dose_onnx.py' if random else 'MODEL_CARD.md',
        'dose': {
            'model': {'file': 'model.onnx', 'sha256': sha, 'bytes': size, 'inputName': 'inputs', 'outputName': 'dose', 'divisibleBy': 16},
            'orientation': 'LPS',
            'spacing': [4, 4, 3],
            'intensity': {'clip': [-1000, 1000], 'mean': 0, 'std': 500},
            'padHu': -1024,
            'crop': {'thresholdHu': -500, 'marginMm': 16},
            'channels': ['CT', 'PTV'] + OAR_CHANNELS,
            'prescriptionScaleGy': DOSE_SCALE_GY,
            'maxPatch': 192,
        },
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--checkpoint', help="a torch file {'state_dict', 'args': {'base', 'stem', 'levels'}}")
    ap.add_argument('--random', action='store_true', help='random weights (a test model) instead of a checkpoint')
    ap.add_argument('--base', type=int, default=24)
    ap.add_argument('--stem', type=int, default=8)
    ap.add_argument('--levels', type=int, default=4)
    ap.add_argument('--seed', type=int, default=25)
    ap.add_argument('--out', default=os.path.join(repo, 'models', 'hn-dose'))
    ap.add_argument('--id', help='manifest id when a new manifest is written (default hn-dose, tiny-dose with --random)')
    ap.add_argument('--version', default='0.1.0')
    a = ap.parse_args()
    if bool(a.checkpoint) == bool(a.random):
        ap.error('give either --checkpoint or --random')
    torch.set_num_threads(2)
    if a.random:
        arch = {'base': a.base, 'stem': a.stem, 'levels': a.levels}
        model = DoseUNet(**arch)
        randomise(model, a.seed)
    else:
        state = torch.load(a.checkpoint, map_location='cpu')
        arch = {k: int(state['args'][k]) for k in ('base', 'stem', 'levels')}
        model = DoseUNet(**arch)
        # Weights may come back from a device run in half precision; the exported network is fp32.
        model.load_state_dict({k: (v.float() if v.is_floating_point() else v) for k, v in state['state_dict'].items()})
    model.eval()
    exported = webgpu_friendly_dose(fold_batchnorm(copy.deepcopy(model))).eval()

    x = torch.from_numpy(parity_input())
    with torch.no_grad():
        want = model(x)
        got = exported(x)
    worst = float((want - got).abs().max())
    assert worst <= 1e-3, f'folding BatchNorm / rewriting the up-sampling changed the dose by {worst} Gy'
    assert not any(isinstance(m, (nn.BatchNorm3d, nn.ConvTranspose3d)) for m in exported.modules())

    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, 'model.onnx')
    axes = {0: 'batch', 2: 'z', 3: 'y', 4: 'x'}
    torch.onnx.export(exported, torch.zeros(1, IN_CHANNELS, 32, 32, 32), path, opset_version=17, input_names=['inputs'],
                      output_names=['dose'], dynamic_axes={'inputs': axes, 'dose': axes}, do_constant_folding=True)
    try:
        import onnx
        onnx.checker.check_model(onnx.load(path))
        checked = 'onnx.checker passed'
    except ImportError:
        checked = 'onnx not installed: no onnx.checker (the engine tests load it in ONNX Runtime)'
    data = open(path, 'rb').read()
    sha = hashlib.sha256(data).hexdigest()
    man_path = os.path.join(a.out, 'manifest.json')
    if os.path.exists(man_path):
        man = json.load(open(man_path))
        man['dose']['model']['sha256'] = sha
        man['dose']['model']['bytes'] = len(data)
    else:
        man = contract_manifest(a.id or ('tiny-dose' if a.random else 'hn-dose'), a.version, sha, len(data), a.random)
    json.dump(man, open(man_path, 'w'), indent=2, ensure_ascii=False)
    open(man_path, 'a').write('\n')
    want.numpy().astype('<f4').tofile(os.path.join(a.out, 'parity.f32'))
    params = sum(p.numel() for p in model.parameters())
    print(f'wrote {path} ({len(data)} bytes, {params} parameters, {arch}, sha256 {sha}); fold/rewrite within {worst:.2e} Gy; '
          f'{checked}; parity dose max {float(want.max()):.3f} Gy, mean {float(want.mean()):.3f} Gy')


if __name__ == '__main__':
    main()
