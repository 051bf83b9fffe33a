#!/usr/bin/python3
"""Train the hn-oar 3D U-Net (hn-oar ≥ 0.3) on the packed OpenKBP data (pack_data.py), on a GPU.

    python3 models/training/train3d.py --data .training-data/openkbp-train --val .training-data/gpu-val \
        --out OUT --base 12 --minutes 7.2            # on a GPU; hn-oar 0.3's two runs: models/hn-oar/MODEL_CARD.md
    /usr/bin/python3 models/training/train3d.py --device cpu --minutes 0.3 --patch 32 64 64 --batch 1 --base 4 ...
                                                     # a smoke run on a CPU

Why this recipe (the 2.5D network of train.py is what two CPU cores can train; a GPU trains this one):
- 3D patches of 80 × 128 × 128 voxels (z, y, x) at 4 × 4 × 3 mm: one patch sees almost the whole head-and-neck
  field in-plane and 24 cm in z, so every organ is seen with its neighbours (the 2.5D network confused the
  oesophagus and larynx levels because it never saw more than three slices).
- The whole training set lives on the GPU (int16 CT, uint8 labels); each sample is drawn by one grid_sample of its
  patient's volume through a random rigid+scale transform (rotation ±15° about z, ±8° about x and y, scale
  0.85–1.15, in millimetres, so the anisotropic voxels are honoured), a left–right mirror with the parotid labels
  swapped, intensity gain/shift/noise. Outside the CT is −1024 HU, exactly what the engine pads with.
  Half the patches are centred near a random organ voxel (foreground oversampling, as nnU-Net), the others
  anywhere in the body.
- Partial labels: the same loss as train.py (marginal cross-entropy that merges background with every organ not
  contoured for the patient, plus soft Dice over the contoured classes only).
- AdamW, linear warm-up then poly decay on wall-clock progress (the schedule ends when --minutes does), bf16
  autocast on CUDA. Checkpoints (fp16 weights) are written every --save-every seconds, so a run cut short still
  leaves its last weights; best.pt is the best mean Dice on the --val patients (whole volumes, model grid).
"""
import argparse
import glob
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

# The classes, their left-right permutation, the manifest's intensity normalisation and padding, and the loss are
# the 2.5D trainer's: both members of hn-oar 0.3 learn the same task the same way.
from train import CLASSES, HU_CLIP, HU_MEAN, HU_STD, LR_SWAP, PAD_HU, partial_label_loss
from unet import UNet3D

PAD_N = (max(HU_CLIP[0], min(HU_CLIP[1], PAD_HU)) - HU_MEAN) / HU_STD  # PAD_HU after normalisation


def load(path: str, device):
    d = np.load(path)
    ct = torch.from_numpy(d['ct'].astype(np.int16)).to(device)
    label = torch.from_numpy(d['label'].astype(np.uint8)).to(device)
    contoured = torch.from_numpy(d['contoured'].astype(bool)).to(device)
    spacing = [float(s) for s in d['spacing']]  # x, y, z mm
    fg = np.argwhere(d['label'] > 0)  # (z, y, x) voxel indices of every organ voxel (host memory)
    body = np.argwhere(d['ct'] > -500)
    if len(body) == 0:
        body = np.array([[0, 0, 0], [s - 1 for s in d['ct'].shape]])
    return {'name': os.path.basename(path)[:-4], 'ct': ct, 'label': label, 'contoured': contoured,
            'spacing': spacing, 'fg': fg, 'body_lo': body.min(0), 'body_hi': body.max(0)}


def normalise(ct: torch.Tensor) -> torch.Tensor:
    return (ct.float().clamp(*HU_CLIP) - HU_MEAN) / HU_STD


def rotation(ax: float, ay: float, az: float) -> torch.Tensor:
    """Rotation matrix acting on (x, y, z) column vectors."""
    cx, sx, cy, sy, cz, sz = math.cos(ax), math.sin(ax), math.cos(ay), math.sin(ay), math.cos(az), math.sin(az)
    rx = torch.tensor([[1, 0, 0], [0, cx, -sx], [0, sx, cx]], dtype=torch.float32)
    ry = torch.tensor([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]], dtype=torch.float32)
    rz = torch.tensor([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]], dtype=torch.float32)
    return rz @ ry @ rx


def patch_offsets(patch, device) -> torch.Tensor:
    """Voxel offsets (x, y, z) of a patch's voxels from its centre, [Z, Y, X, 3] on `device`."""
    pz, py, px = patch
    zz, yy, xx = torch.meshgrid(torch.arange(pz, device=device) - (pz - 1) / 2, torch.arange(py, device=device) - (py - 1) / 2,
                                torch.arange(px, device=device) - (px - 1) / 2, indexing='ij')
    return torch.stack([xx, yy, zz], dim=-1).float()


def sample(p, patch, base_off: torch.Tensor, rng: np.random.Generator, augment: bool):
    """One (x [1, Z, Y, X] normalised CT, y [Z, Y, X] labels, contoured [7]) training sample of patient p.

    base_off: patch_offsets(patch) on the patient's device."""
    dev = p['ct'].device
    nz, ny, nx = p['ct'].shape
    if len(p['fg']) and rng.random() < 0.5:
        c = p['fg'][int(rng.integers(len(p['fg'])))].astype(np.float64)
        c = c + rng.normal(0, 1, 3) * np.array(patch) / 8
    else:
        lo, hi = p['body_lo'], p['body_hi']
        c = lo + rng.random(3) * (hi - lo)
    mm = torch.tensor(p['spacing'], dtype=torch.float32)
    # The transform acts in millimetres: voxel offset → mm, rotate/scale/mirror, → source voxel offset.
    m = torch.eye(3)
    flip = False
    if augment:
        r = rotation(*(np.radians(rng.uniform(-a, a)) for a in (8, 8, 15)))
        m = r * float(rng.uniform(0.85, 1.15))
        flip = rng.random() < 0.5
        if flip:
            m = m @ torch.diag(torch.tensor([-1.0, 1.0, 1.0]))
    m = torch.diag(1 / mm) @ m @ torch.diag(mm)  # acts on voxel offsets (x, y, z)
    # Source voxel index (x, y, z) = centre + M·off → grid_sample's normalised coords (align_corners=False):
    # normalised = (2·index + 1) / size − 1, folded into one affine map applied on the device.
    size = torch.tensor([nx, ny, nz], dtype=torch.float32)
    centre = torch.tensor([c[2], c[1], c[0]], dtype=torch.float32)
    lin = (2 / size)[:, None] * m
    const = (2 * centre + 1) / size - 1
    grid = (base_off @ lin.T.to(dev) + const.to(dev))[None]
    x = F.grid_sample(normalise(p['ct'])[None, None] - PAD_N, grid, mode='bilinear', padding_mode='zeros',
                      align_corners=False)[0] + PAD_N
    y = F.grid_sample(p['label'][None, None].float(), grid, mode='nearest', padding_mode='zeros',
                      align_corners=False)[0, 0].long()
    contoured = p['contoured']
    if flip:
        y = torch.tensor(LR_SWAP, device=dev)[y]
        contoured = contoured[[k - 1 for k in LR_SWAP[1:]]]
    if augment:
        gain, shift = rng.uniform(0.9, 1.1), rng.uniform(-0.1, 0.1)
        x = x * gain + shift + 0.03 * torch.randn_like(x)
    return x, y, contoured


def batch_of(patients, n, patch, base_off, rng, augment=True):
    xs, ys, cs = zip(*(sample(patients[int(rng.integers(len(patients)))], patch, base_off, rng, augment) for _ in range(n)))
    return torch.stack(xs), torch.stack(ys), torch.stack(cs)


@torch.no_grad()
def predict(model, p, div: int, amp: bool) -> torch.Tensor:
    """Labels of a whole volume (padded with −1024 HU to a multiple of `div`; the net is fully convolutional)."""
    model.eval()
    nz, ny, nx = p['ct'].shape
    pad = [(-s) % div for s in (nx, ny, nz)]
    x = F.pad(normalise(p['ct'])[None, None], (0, pad[0], 0, pad[1], 0, pad[2]), value=PAD_N)
    with torch.autocast(device_type=x.device.type, dtype=torch.bfloat16, enabled=amp):
        logits = model(x)
    return logits[0, :, :nz, :ny, :nx].argmax(0)


def validate(model, patients, div, amp):
    scores = {c: [] for c in CLASSES[1:]}
    for p in patients:
        pred = predict(model, p, div, amp)
        for k in range(1, len(CLASSES)):
            if not bool(p['contoured'][k - 1]):
                continue
            a, b = pred == k, p['label'] == k
            s = int(a.sum() + b.sum())
            scores[CLASSES[k]].append(1.0 if s == 0 else 2 * int((a & b).sum()) / s)
    per = {c: float(np.mean(v)) if v else float('nan') for c, v in scores.items()}
    return float(np.nanmean(list(per.values()))), per


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True, help='folder of packed training patients (pt_N.npz)')
    ap.add_argument('--val', help='folder of packed validation patients for model selection')
    ap.add_argument('--out', required=True)
    ap.add_argument('--minutes', type=float, default=7.5, help='wall-clock training budget')
    ap.add_argument('--patch', type=int, nargs=3, default=[80, 128, 128], metavar=('Z', 'Y', 'X'))
    ap.add_argument('--batch', type=int, default=4)
    ap.add_argument('--base', type=int, default=16)
    ap.add_argument('--levels', type=int, default=5)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--warmup', type=int, default=100, help='steps of linear warm-up')
    ap.add_argument('--val-every', type=float, default=60, help='seconds between validations')
    ap.add_argument('--save-every', type=float, default=60, help='seconds between checkpoints')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--resume', help='a checkpoint of this script whose weights start the model (the schedule restarts)')
    ap.add_argument('--device', default='cuda')
    ap.add_argument('--threads', type=int, default=2, help='CPU threads (device cpu)')
    a = ap.parse_args()
    t_start = time.time()
    dev = torch.device(a.device)
    amp = dev.type == 'cuda'
    if dev.type == 'cuda':
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    else:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out, exist_ok=True)
    log = open(os.path.join(a.out, 'train.log'), 'a')

    def say(msg: str):
        print(msg, flush=True)
        log.write(msg + '\n')
        log.flush()

    div = 2 ** (a.levels - 1)
    assert all(s % div == 0 for s in a.patch), f'--patch must be multiples of {div}'
    train = [load(f, dev) for f in sorted(glob.glob(os.path.join(a.data, '*.npz')))]
    val = [load(f, dev) for f in sorted(glob.glob(os.path.join(a.val, '*.npz')))] if a.val else []
    say(f'{dev} {torch.cuda.get_device_name(0) if amp else ""}: train {len(train)}, validate {[p["name"] for p in val]}, '
        f'loaded in {time.time() - t_start:.1f} s; args {vars(a)}')
    model = UNet3D(classes=len(CLASSES), base=a.base, levels=a.levels)
    if a.resume:
        st = torch.load(a.resume, map_location='cpu')
        model.load_state_dict({k: (v.float() if v.is_floating_point() else v) for k, v in st['model'].items()})
        say(f'resumed weights from {a.resume} (step {st.get("step")})')
    model = model.to(dev)
    say(f'UNet3D base {a.base} levels {a.levels}: {sum(p.numel() for p in model.parameters())} parameters')
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    budget = a.minutes * 60
    t0 = time.time()
    last_val = last_save = t0
    best, step, history = -1.0, 0, []
    base_off = patch_offsets(a.patch, dev)

    def save(name: str, extra=None):
        state = {'model': {k: (v.half() if v.is_floating_point() else v).cpu() for k, v in model.state_dict().items()},
                 'arch': 'unet3d', 'base': a.base, 'levels': a.levels, 'classes': len(CLASSES), 'task': 'oar',
                 'patch': a.patch, 'step': step, 'seconds': time.time() - t0, **(extra or {})}
        torch.save(state, os.path.join(a.out, name + '.tmp'))
        os.replace(os.path.join(a.out, name + '.tmp'), os.path.join(a.out, name))

    while True:
        elapsed = time.time() - t0
        final = elapsed > budget
        if not final:
            warm = min(1.0, (step + 1) / a.warmup)
            lr = a.lr * warm * (1 - min(0.999, elapsed / budget)) ** 0.9
            for g in opt.param_groups:
                g['lr'] = lr
            model.train()
            x, y, c = batch_of(train, a.batch, a.patch, base_off, rng)
            with torch.autocast(device_type=dev.type, dtype=torch.bfloat16, enabled=amp):
                logits = model(x)
            loss, ce, dl = partial_label_loss(logits, y, c)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 12)
            opt.step()
            step += 1
            if step % 50 == 0 or step == 1:
                say(f'step {step} t={elapsed:.0f}s lr={lr:.2e} loss={float(loss):.4f} ce={ce:.4f} dice_loss={dl:.4f}')
        now = time.time()
        if val and (now - last_val > a.val_every or final):
            last_val = now
            mean, per = validate(model, val, div, amp)
            history.append({'step': step, 'seconds': now - t0, 'mean_dice': mean, 'dice': per})
            say(f'VAL step {step} t={now - t0:.0f}s mean={mean:.4f} ' + ' '.join(f'{k}={v:.3f}' for k, v in per.items()))
            if mean > best:
                best = mean
                save('best.pt', {'val': per, 'mean': mean})
                say(f'  new best {best:.4f}')
        if now - last_save > a.save_every or final:
            last_save = now
            save('last.pt')
        if final:
            break
    # The history goes into the log as one JSON line (a device run brings back few files).
    say('HISTORY ' + json.dumps({'args': vars(a), 'steps': step, 'seconds': time.time() - t0, 'history': history,
                                 'best_mean_dice': best}))
    say(f'done: {step} steps in {time.time() - t0:.0f} s, best val mean Dice {best:.4f}')


if __name__ == '__main__':
    main()
