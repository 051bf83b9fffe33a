#!/usr/bin/python3
"""Train hn-dose (DoseUNet, dose_unet.py) on the packed OpenKBP dose data (pack_data.py --task dose), on a CPU or a GPU.

    /usr/bin/python3 models/training/pack_data.py --task dose
    /usr/bin/python3 models/training/train_dose.py --out OUT --minutes 75        # hn-dose 0.1's run: MODEL_CARD.md
    /usr/bin/python3 models/training/train_dose.py --out /tmp/smoke --minutes 0.5 --base 4 --stem 2   # a smoke run

Recipe (chosen to fit two CPU cores and a little over an hour; a GPU would afford a wider net and bigger patches):
- Patches of 48 × 80 × 80 voxels (z, y, x) of the 4 × 4 × 3 mm model grid (144 × 320 × 320 mm), two per step. Seven in ten are
  centred on a random PTV voxel (jittered), the others anywhere in the body, so the steep fall-off around targets
  dominates the data as it dominates the error.
- Inputs exactly as the engine builds them (dose_unet.py): normalised CT, PTV prescription / 70, seven OAR masks.
  Augmentation: a left–right mirror with the parotid channels exchanged, small CT gain/shift. No rotations: the
  dose of a head-and-neck plan is not rotation-invariant about the couch axis, and resampling costs CPU time.
- Loss: L1 in Gy over the possible-dose mask (OpenKBP's dose score is exactly that) plus 0.1 × L1 outside it, so the
  network also learns that there is no dose in air.
- AdamW (lr 2e-3, weight decay 1e-4), linear warm-up then a polynomial decay to zero on wall-clock progress: the run
  ends when --minutes is spent and the final weights are the model (no selection on validation patients).
  --watch patients of validation are predicted whole every --watch-every minutes and their MAE printed, only to watch.
"""
import argparse
import glob
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from dose_unet import DOSE_SCALE_GY, IN_CHANNELS, DoseUNet

HU_CLIP, HU_STD = (-1000.0, 1000.0), 500.0
PTV_CODE = np.array([0.0, 56 / 70, 63 / 70, 70 / 70], dtype=np.float32)  # OpenKBP PTV labels 1, 2, 3: PTV56, PTV63, PTV70
PAROTID_CHANNELS = (4, 5)  # Parotid_R, Parotid_L (channels 2..8 are OAR labels 1..7)


def load(path):
    d = np.load(path)
    ptv = d['ptv']
    p = {'name': os.path.basename(path)[:-4], 'ct': d['ct'], 'oar': d['oar'], 'ptv': ptv, 'dose': d['dose'], 'possible': d['possible']}
    p['ptv_vox'] = np.argwhere(ptv > 0)
    body = np.argwhere(d['ct'] > -500)
    p['body_lo'], p['body_hi'] = body.min(0), body.max(0)
    return p


def channels(ct, oar, ptv):
    """The network's input [9, Z, Y, X] from HU, OAR labels and PTV labels (what the engine builds)."""
    x = np.empty((IN_CHANNELS,) + ct.shape, dtype=np.float32)
    x[0] = np.clip(ct, *HU_CLIP) / HU_STD
    x[1] = PTV_CODE[ptv]
    for k in range(1, 8):
        x[1 + k] = oar == k
    return x


def sample(p, patch, rng, augment=True):
    shape = np.array(p['ct'].shape)
    if len(p['ptv_vox']) and rng.random() < 0.7:
        c = p['ptv_vox'][int(rng.integers(len(p['ptv_vox'])))] + rng.normal(0, 1, 3) * np.array(patch) / 6
    else:
        c = p['body_lo'] + rng.random(3) * (p['body_hi'] - p['body_lo'])
    lo = np.clip(np.round(c - np.array(patch) / 2).astype(int), 0, shape - np.array(patch))
    sl = tuple(slice(l, l + s) for l, s in zip(lo, patch))
    x = channels(p['ct'][sl], p['oar'][sl], p['ptv'][sl])
    y = p['dose'][sl][None]
    w = np.where(p['possible'][sl] > 0, 1.0, 0.1).astype(np.float32)[None]
    if augment:
        if rng.random() < 0.5:
            x, y, w = x[..., ::-1], y[..., ::-1], w[..., ::-1]
            x = x[[0, 1, 2, 3, PAROTID_CHANNELS[1], PAROTID_CHANNELS[0], 6, 7, 8]]
        x = x.copy()
        x[0] = x[0] * rng.uniform(0.95, 1.05) + rng.uniform(-0.05, 0.05)
    return np.ascontiguousarray(x), np.ascontiguousarray(y), np.ascontiguousarray(w)


@torch.no_grad()
def predict_whole(model, p, div=16):
    model.eval()
    x = channels(p['ct'], p['oar'], p['ptv'])
    nz, ny, nx = p['ct'].shape
    pad = [(-s) % div for s in (nz, ny, nx)]
    x = np.pad(x, [(0, 0)] + [(0, q) for q in pad], constant_values=0)
    x[0, nz:], x[0, :, ny:], x[0, :, :, nx:] = -2, -2, -2
    out = model(torch.from_numpy(x)[None])[0, 0, :nz, :ny, :nx].numpy()
    model.train()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument('--data', default=os.path.join(repo, '.training-data', 'openkbp-dose-train'))
    ap.add_argument('--val', default=os.path.join(repo, '.training-data', 'openkbp-dose-validation'))
    ap.add_argument('--out', required=True)
    ap.add_argument('--minutes', type=float, default=75)
    ap.add_argument('--base', type=int, default=24)
    ap.add_argument('--stem', type=int, default=8)
    ap.add_argument('--levels', type=int, default=4)
    ap.add_argument('--patch', type=int, nargs=3, default=[48, 80, 80])
    ap.add_argument('--batch', type=int, default=2)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--watch', type=int, default=3)
    ap.add_argument('--watch-every', type=float, default=15)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out, exist_ok=True)
    train = [load(f) for f in sorted(glob.glob(os.path.join(a.data, '*.npz')))]
    watch = [load(f) for f in sorted(glob.glob(os.path.join(a.val, '*.npz')))[:a.watch]]
    print(f'{len(train)} training patients, watching {[p["name"] for p in watch]}', flush=True)
    args = {'base': a.base, 'stem': a.stem, 'levels': a.levels}
    model = DoseUNet(**args)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    start, step, last_watch, last_save, losses = time.time(), 0, time.time(), time.time(), []
    budget = a.minutes * 60

    def save(name):
        torch.save({'state_dict': model.state_dict(), 'args': args, 'step': step, 'minutes': (time.time() - start) / 60,
                    'recipe': vars(a)}, os.path.join(a.out, name))

    while True:
        progress = (time.time() - start) / budget
        if progress >= 1:
            break
        lr = a.lr * min(1.0, (step + 1) / 100) * (1 - progress) ** 0.9
        for g in opt.param_groups:
            g['lr'] = lr
        xs, ys, ws = zip(*(sample(train[int(rng.integers(len(train)))], a.patch, rng) for _ in range(a.batch)))
        x, y, w = (torch.from_numpy(np.stack(v)) for v in (xs, ys, ws))
        out = model(x)
        loss = ((out - y).abs() * w).sum() / w.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        step += 1
        if step % 50 == 0:
            print(f'step {step} {(time.time() - start) / 60:.1f} min lr {lr:.2e} loss {np.mean(losses[-50:]):.3f} Gy', flush=True)
        if time.time() - last_save > 300:
            save('last.pt')
            last_save = time.time()
        if watch and time.time() - last_watch > a.watch_every * 60:
            maes = [float(np.abs(predict_whole(model, p) - p['dose'])[p['possible'] > 0].mean()) for p in watch]
            print(f'watch {step}: MAE in possible-dose mask {np.round(maes, 2).tolist()} mean {np.mean(maes):.2f} Gy', flush=True)
            last_watch = time.time()
    save('final.pt')
    json.dump({'steps': step, 'minutes': (time.time() - start) / 60, 'loss_last_200': float(np.mean(losses[-200:]))},
              open(os.path.join(a.out, 'train_log.json'), 'w'))
    print('done', step, 'steps', flush=True)


if __name__ == '__main__':
    main()
