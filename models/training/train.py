#!/usr/bin/python3
"""Train the hn-oar 2.5D U-Net on the packed OpenKBP data (run pack_data.py first).

    nohup nice -n 10 /usr/bin/python3 models/training/train.py --minutes 60 > .training-data/train.log 2>&1 &

Design choices and why:
- 2.5D (3 adjacent axial slices as channels, 96×96 training crops at 4×4×3 mm; 128×128 inference tiles): full-volume 3D training is
  impractical on a 2-core CPU; three slices give the through-plane context that thin tubular organs
  (spinal cord, oesophagus) need.
- Partial labels: OpenKBP patients miss some contours (oesophagus in ~1/3, larynx in ~1/2). The loss
  merges background with every class that was NOT contoured for the patient into one "unknown
  background" event (marginal cross-entropy, Shi et al. 2021 / Fang & Yan 2020), so predicting an
  uncontoured organ there costs nothing; the soft Dice term only counts contoured classes, per class,
  over the samples where that class was contoured.
- Augmentation: random scale 0.85–1.15, rotation ±15°, left-right mirroring with the parotid labels swapped,
  intensity scale/shift and noise; the model is also measured on patients outside this data set.
- Stops itself after --minutes (wall clock) and keeps the checkpoint with the best validation Dice.
- Threads: on our shared 2-core machine under load, PyTorch with 2 intra-op threads was 4–10× slower per step
  than with 1 (OpenMP threads waiting for a core); --threads 1 is the better choice there.
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

from unet import UNet2D

CLASSES = ['background', 'Brainstem', 'SpinalCord', 'Parotid_R', 'Parotid_L', 'Esophagus', 'Larynx', 'Bone_Mandible']
# --task ptv: the elective target envelope (PTV56 ∪ PTV63 ∪ PTV70, pack_data.py --task ptv), one class.
PTV_CLASSES = ['background', 'PTV_Union']
HU_CLIP = (-1000.0, 1000.0)  # manifest intensity.clip
HU_MEAN, HU_STD = 0.0, 500.0  # manifest intensity.mean/std
PATCH = 128
PAD_HU = -1024.0  # outside the image = air, exactly what the engine pads with
LR_SWAP = [0, 1, 2, 4, 3, 5, 6, 7]  # class permutation under a left-right mirror (set for the task in main)


def normalise(hu: np.ndarray) -> np.ndarray:
    return (np.clip(hu.astype(np.float32), *HU_CLIP) - HU_MEAN) / HU_STD


class Patient:
    def __init__(self, path: str):
        d = np.load(path)
        self.name = os.path.basename(path)[:-4]
        self.ct = d['ct']  # (z, y, x) int16 HU
        self.label = d['label']
        self.contoured = d['contoured'].astype(bool)
        body = self.ct > -500
        zs = np.nonzero(body.any(axis=(1, 2)))[0]
        self.body_z = zs if len(zs) else np.arange(self.ct.shape[0])
        self.fg_z = np.nonzero((self.label > 0).any(axis=(1, 2)))[0]
        # Per-slice body centre (row, col) for crop placement; fall back to the image centre.
        self.centre = np.zeros((self.ct.shape[0], 2), dtype=np.float32)
        for z in range(self.ct.shape[0]):
            rr, cc = np.nonzero(body[z])
            self.centre[z] = (rr.mean(), cc.mean()) if len(rr) else (self.ct.shape[1] / 2, self.ct.shape[2] / 2)

    def slab(self, z: int) -> np.ndarray:
        """Slices z-1, z, z+1 with the edge slice repeated at the ends (the engine does the same)."""
        n = self.ct.shape[0]
        idx = [min(n - 1, max(0, z + d)) for d in (-1, 0, 1)]
        return self.ct[idx]


def crop(arr: np.ndarray, r0: int, c0: int, size: int, fill) -> np.ndarray:
    """A size×size window at (r0, c0) of the last two axes, padded with `fill` where it leaves the image."""
    h, w = arr.shape[-2:]
    out = np.full(arr.shape[:-2] + (size, size), fill, dtype=arr.dtype)
    rs, cs = max(0, r0), max(0, c0)
    re, ce = min(h, r0 + size), min(w, c0 + size)
    if re > rs and ce > cs:
        out[..., rs - r0:re - r0, cs - c0:ce - c0] = arr[..., rs:re, cs:ce]
    return out


def sample_batch(patients, batch: int, rng: np.random.Generator, patch: int = PATCH):
    xs, ys, cs = [], [], []
    for _ in range(batch):
        p = patients[rng.integers(len(patients))]
        if len(p.fg_z) and rng.random() < 0.75:
            # Foreground oversampling (as nnU-Net): centre the crop near a random organ voxel of the slice, so a
            # small crop still sees the organ and its surroundings.
            z = int(rng.choice(p.fg_z))
            rr, cc = np.nonzero(p.label[z])
            k = rng.integers(len(rr))
            cy, cx = np.array([rr[k], cc[k]], dtype=np.float32) + rng.normal(0, patch / 8, size=2)
        else:
            z = int(rng.choice(p.body_z))
            cy, cx = p.centre[z] + rng.normal(0, 12, size=2)
        r0, c0 = int(round(cy - patch / 2)), int(round(cx - patch / 2))
        xs.append(crop(p.slab(z), r0, c0, patch, np.int16(PAD_HU)))
        ys.append(crop(p.label[z], r0, c0, patch, np.uint8(0)))
        cs.append(p.contoured)
    x = torch.from_numpy(normalise(np.stack(xs)))
    y = torch.from_numpy(np.stack(ys).astype(np.int64))
    c = torch.from_numpy(np.stack(cs))
    return x, y, c


def augment(x, y, c, rng: np.random.Generator):
    """In-plane scale/rotation (bilinear image, nearest labels), LR mirror with label swap, intensity jitter."""
    n = x.shape[0]
    ang = torch.from_numpy(rng.uniform(-15, 15, n).astype(np.float32)) * math.pi / 180
    sc = torch.from_numpy(rng.uniform(0.85, 1.15, n).astype(np.float32))
    cos, sin = torch.cos(ang) / sc, torch.sin(ang) / sc
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1], theta[:, 1, 0], theta[:, 1, 1] = cos, -sin, sin, cos
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    pad = (PAD_HU - HU_MEAN) / HU_STD
    x = F.grid_sample(x - pad, grid, mode='bilinear', padding_mode='zeros', align_corners=False) + pad
    y = F.grid_sample(y[:, None].float(), grid, mode='nearest', padding_mode='zeros', align_corners=False)[:, 0].long()
    flip = torch.from_numpy(rng.random(n) < 0.5)
    if flip.any():
        x[flip] = torch.flip(x[flip], dims=[-1])
        swap = torch.tensor(LR_SWAP)
        y[flip] = swap[torch.flip(y[flip], dims=[-1])]
        cc = c[flip][:, [k - 1 for k in LR_SWAP[1:]]]  # contoured flags of classes 1..k follow the swap
        c = c.clone()
        c[flip] = cc
    gain = torch.from_numpy(rng.uniform(0.9, 1.1, (n, 1, 1, 1)).astype(np.float32))
    shift = torch.from_numpy(rng.uniform(-0.1, 0.1, (n, 1, 1, 1)).astype(np.float32))
    x = x * gain + shift + 0.03 * torch.randn_like(x)
    return x, y, c


def partial_label_loss(logits, y, contoured):
    """Marginal cross-entropy over {background ∪ uncontoured} + soft Dice over contoured classes.

    logits [n, k, *spatial] (2D tiles here, 3D patches in train3d.py; computed in fp32 whatever the autocast),
    y [n, *spatial] class indices, contoured [n, k-1] bool. Returns (loss, ce, dice_loss as floats).
    """
    n, k = logits.shape[:2]
    dev = logits.device
    spatial = logits.dim() - 2
    per_class = (n, k) + (1,) * spatial  # broadcasts a [n, k] table over the voxels
    dims = (0,) + tuple(range(2, 2 + spatial))  # sum over samples and voxels, per class
    logp = F.log_softmax(logits.float(), dim=1)
    # Classes merged into "unknown background" per sample: background (always) + not contoured.
    merged = torch.cat([torch.ones(n, 1, dtype=torch.bool, device=dev), ~contoured], dim=1)  # [n, k]
    neg = torch.full(per_class, -1e4, device=dev)
    bg_logp = torch.logsumexp(logp + torch.where(merged.view(per_class), torch.zeros(1, device=dev), neg), dim=1)
    fg_logp = torch.gather(logp, 1, y[:, None])[:, 0]
    ce = -torch.where(y == 0, bg_logp, fg_logp).mean()
    p = logp.exp()
    onehot = F.one_hot(y, k).movedim(-1, 1).float()
    w = contoured.float().view((n, k - 1) + (1,) * spatial)  # only samples where the class was drawn
    inter = (p[:, 1:] * onehot[:, 1:] * w).sum(dim=dims)
    denom = (p[:, 1:] * w).sum(dim=dims) + (onehot[:, 1:] * w).sum(dim=dims)
    present = (onehot[:, 1:] * w).sum(dim=dims) > 0
    dice = (2 * inter + 1e-5) / (denom + 1e-5)
    dice_loss = (1 - dice[present]).mean() if bool(present.any()) else logits.sum() * 0
    return ce + dice_loss, float(ce.detach()), float(dice_loss.detach())


@torch.no_grad()
def predict_volume(model, p: Patient, batch: int = 16, z_range=None) -> np.ndarray:
    """Label map of a patient: the slices in z_range (default all), each full slice padded to a multiple of 8."""
    model.eval()
    nz, h, w = p.ct.shape
    H, W = int(math.ceil(h / 8) * 8), int(math.ceil(w / 8) * 8)
    out = np.zeros((nz, h, w), dtype=np.uint8)
    z_lo, z_hi = z_range or (0, nz)
    for z0 in range(z_lo, z_hi, batch):
        zs = list(range(z0, min(z_hi, z0 + batch)))
        x = np.stack([crop(p.slab(z), 0, 0, max(H, W), np.int16(PAD_HU))[..., :H, :W] for z in zs])
        logits = model(torch.from_numpy(normalise(x)))
        out[zs] = logits.argmax(1).numpy()[:, :h, :w].astype(np.uint8)
    return out


def validate(model, patients):
    """Mean 3D Dice per class over the patients where it was contoured (model grid)."""
    scores = {c: [] for c in CLASSES[1:]}
    for p in patients:
        # Only the slices around the contoured organs (±8): validation is for model selection and must stay
        # cheap on 2 shared cores; evaluate.ts measures whole volumes through the engine.
        z_range = (max(0, int(p.fg_z.min()) - 8), min(p.ct.shape[0], int(p.fg_z.max()) + 9)) if len(p.fg_z) else None
        pred = predict_volume(model, p, z_range=z_range)
        for k in range(1, len(CLASSES)):
            if not p.contoured[k - 1]:
                continue
            a, b = pred == k, p.label == k
            s = a.sum() + b.sum()
            scores[CLASSES[k]].append(1.0 if s == 0 else 2 * (a & b).sum() / s)
    per = {c: float(np.mean(v)) if v else float('nan') for c, v in scores.items()}
    return float(np.nanmean(list(per.values()))), per


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap.add_argument('--data', default=os.path.join(repo, '.training-data'))
    ap.add_argument('--out', default=os.path.join(repo, '.training-data', 'run'))
    ap.add_argument('--minutes', type=float, default=60)
    ap.add_argument('--batch', type=int, default=12)
    ap.add_argument('--patch', type=int, default=96, help='training crop (inference tiles are 128: the net is fully convolutional)')
    ap.add_argument('--base', type=int, default=16)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--val-every', type=float, default=10, help='minutes between validations')
    ap.add_argument('--val-patients', type=int, default=8)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--resume', help='checkpoint to start from (weights only; the schedule restarts)')
    ap.add_argument('--init', help='checkpoint whose weights of the same shape start the model (the other task\'s network: all but its output layer)')
    ap.add_argument('--task', choices=['oar', 'ptv'], default='oar', help='oar: hn-oar; ptv: the target-envelope proposal')
    a = ap.parse_args()
    global CLASSES, LR_SWAP
    if a.task == 'ptv':
        CLASSES, LR_SWAP = PTV_CLASSES, [0, 1]
    prefix = 'openkbp' if a.task == 'oar' else 'openkbp-ptv'
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out, exist_ok=True)
    train = [Patient(f) for f in sorted(glob.glob(os.path.join(a.data, f'{prefix}-train', '*.npz')))]
    val_all = [Patient(f) for f in sorted(glob.glob(os.path.join(a.data, f'{prefix}-validation', '*.npz')))]
    # A fixed, spread-out subset keeps validation cheap on 2 cores; the full 33 run in evaluate.ts.
    val = val_all[:: max(1, len(val_all) // a.val_patients)][: a.val_patients]
    print(f'train {len(train)} patients, validate on {[p.name for p in val]}', flush=True)
    model = UNet2D(classes=len(CLASSES), base=a.base)
    if a.resume:
        model.load_state_dict(torch.load(a.resume, map_location='cpu')['model'])
        print(f'resumed weights from {a.resume}', flush=True)
    elif a.init:
        own = model.state_dict()
        theirs = {k: v for k, v in torch.load(a.init, map_location='cpu')['model'].items() if k in own and own[k].shape == v.shape}
        model.load_state_dict(theirs, strict=False)
        print(f'initialised {len(theirs)} of {len(own)} tensors from {a.init}', flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    budget = a.minutes * 60
    t0 = time.time()
    last_val = t0
    best = -1.0
    step = 0
    history = []
    while True:
        elapsed = time.time() - t0
        if elapsed > budget:
            break
        # Poly decay on wall-clock progress: the schedule ends when the budget does, whatever the speed.
        lr = a.lr * (1 - min(0.99, elapsed / budget)) ** 0.9
        for g in opt.param_groups:
            g['lr'] = lr
        model.train()
        x, y, c = augment(*sample_batch(train, a.batch, rng, a.patch), rng)
        loss, ce, dl = partial_label_loss(model(x), y, c)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 20 == 0:
            print(f'step {step} t={elapsed / 60:.1f}min lr={lr:.2e} loss={loss.item():.4f} ce={ce:.4f} dice_loss={dl:.4f}', flush=True)
        final = time.time() - t0 > budget
        if time.time() - last_val > a.val_every * 60 or final:
            last_val = time.time()
            mean, per = validate(model, val)
            history.append({'step': step, 'minutes': (time.time() - t0) / 60, 'mean_dice': mean, 'dice': per})
            print(f'VAL step {step} mean={mean:.4f} ' + ' '.join(f'{k}={v:.3f}' for k, v in per.items()), flush=True)
            state = {'model': model.state_dict(), 'base': a.base, 'classes': len(CLASSES), 'task': a.task, 'step': step, 'val': per, 'mean': mean}
            torch.save(state, os.path.join(a.out, 'last.pt'))
            if mean > best:
                best = mean
                torch.save(state, os.path.join(a.out, 'best.pt'))
                print(f'  new best {best:.4f}', flush=True)
    json.dump({'args': vars(a), 'steps': step, 'seconds': time.time() - t0, 'history': history, 'best_mean_dice': best},
              open(os.path.join(a.out, 'history.json'), 'w'), indent=1)
    print('done', flush=True)


if __name__ == '__main__':
    main()
