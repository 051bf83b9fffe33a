#!/usr/bin/python3
"""Pack the OpenKBP head-and-neck CTs and OAR masks into .training-data/ for train.py.

Each patient is resampled to the model's target spacing exactly as Delineo's engine will resample a CT at
inference time (src/domain/resample.ts `withSpacing` + `resampleVolume`): the new grid covers the same
physical extent, voxel centres sit at (i' + 0.5) * new / old - 0.5 in source index units, CT is
trilinear (separable linear per axis is the same thing for an axis-aligned scaling) with a target voxel
outside [-0.5, n - 0.5] set to -1024 HU, labels are nearest (round half up, like Math.round). Training on
the same sampling the engine produces is what keeps the shipped model's inputs in distribution.

Orientation: OpenKBP's NIfTI affine is diag(-sx, -sy, sz), so the nibabel array (i, j, k) already runs along
LPS +x, +y, +z. The packed arrays are (z, y, x) — C order of Delineo's x-fastest storage — so a 2D slice
is [row = y (anterior → posterior), column = x (patient right → left)], the engine's tensor layout.

Partial labels: index.json lists the structures actually contoured per patient; it is stored as a 7-bool
`contoured` vector so the loss can ignore classes nobody drew for that patient.

Output: .training-data/openkbp-<split>/pt_N.npz with ct (int16 HU, clipped to [-1024, 1500]), label
(uint8, 0 = background, 1..7 = classes below), contoured (bool[7]), spacing (float[3], x y z mm).
Usage: /usr/bin/python3 models/training/pack_data.py [--data ../shared/data/openkbp] [--out .training-data]

--task dose packs hn-dose's data (.training-data/openkbp-dose-<split>, see pack_dose).

--task ptv packs the target-proposal data instead (.training-data/openkbp-ptv-<split>): label 1 = the union of
PTV56, PTV63 and PTV70 (OpenKBP made the three non-overlapping, so only the union is an anatomical volume), on the
same grid; every patient has at least PTV70 and no patient's targets are partial, so `contoured` is [True].
"""
import argparse
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor

import nibabel as nib
import numpy as np

# OpenKBP OAR label number → (TG-263 name, class index in the model). The model's class order is the
# manifest's label order; keep both in sync (models/hn-oar/manifest.json).
OPENKBP_TO_TG263 = {
    'Brainstem': ('Brainstem', 1),
    'SpinalCord': ('SpinalCord', 2),
    'RightParotid': ('Parotid_R', 3),
    'LeftParotid': ('Parotid_L', 4),
    'Esophagus': ('Esophagus', 5),
    'Larynx': ('Larynx', 6),
    'Mandible': ('Bone_Mandible', 7),
}
TARGET_SPACING = (4.0, 4.0, 3.0)  # x, y, z mm — must equal the manifest's spacing
HU_MIN, HU_MAX = -1024, 1500


def axis_coords(n_src: int, s_src: float, s_tgt: float):
    """Source continuous indices of the target voxel centres along one axis (withSpacing semantics)."""
    n_tgt = max(1, int(np.floor(n_src * s_src / s_tgt + 0.5)))
    coords = (np.arange(n_tgt) + 0.5) * (s_tgt / s_src) - 0.5
    return coords


def resample_linear(a: np.ndarray, axis: int, coords: np.ndarray, fill: float):
    """Linear interpolation along one axis with resample.ts's border rule (clamp within half a voxel, else fill)."""
    n = a.shape[axis]
    outside = (coords < -0.5) | (coords > n - 0.5)
    c = np.clip(coords, 0, n - 1)
    i0 = np.clip(np.floor(c).astype(np.int64), 0, max(0, n - 2))
    i1 = np.minimum(i0 + 1, n - 1)
    f = (c - i0).astype(np.float32)
    shape = [1] * a.ndim
    shape[axis] = len(coords)
    f = f.reshape(shape)
    out = np.take(a, i0, axis=axis) * (1 - f) + np.take(a, i1, axis=axis) * f
    if outside.any():
        idx = [slice(None)] * a.ndim
        idx[axis] = np.nonzero(outside)[0]
        out[tuple(idx)] = fill
    return out


def resample_nearest(a: np.ndarray, axis: int, coords: np.ndarray):
    """Nearest-neighbour along one axis (Math.round: half up); outside the grid → 0."""
    n = a.shape[axis]
    idx = np.floor(coords + 0.5).astype(np.int64)
    outside = (idx < 0) | (idx >= n)
    out = np.take(a, np.clip(idx, 0, n - 1), axis=axis)
    if outside.any():
        sl = [slice(None)] * a.ndim
        sl[axis] = np.nonzero(outside)[0]
        out[tuple(sl)] = 0
    return out


def pack_one(args):
    src_dir, out_path, spacing, structures, task = args
    ct_img = nib.load(os.path.join(src_dir, 'ct.nii.gz'))
    ct = np.asarray(ct_img.dataobj).astype(np.float32)  # (x, y, z)
    if task == 'dose':
        return pack_dose(src_dir, out_path, spacing, ct)
    labels_file = 'ptv.nii.gz' if task == 'ptv' else 'oar.nii.gz'
    oar = np.asarray(nib.load(os.path.join(src_dir, labels_file)).dataobj).astype(np.uint8)
    if task == 'ptv':
        oar = (oar > 0).astype(np.uint8)  # PTV56 ∪ PTV63 ∪ PTV70 (resampled as one mask: nearest is per label anyway)
    # ../shared's conversion already holds HU (int16, -1024 where the organisers stored nothing).
    ct = np.transpose(ct, (2, 1, 0))  # (z, y, x)
    oar = np.transpose(oar, (2, 1, 0))
    sx, sy, sz = spacing
    for axis, s_src, s_tgt in ((0, sz, TARGET_SPACING[2]), (1, sy, TARGET_SPACING[1]), (2, sx, TARGET_SPACING[0])):
        coords = axis_coords(ct.shape[axis], s_src, s_tgt)
        ct = resample_linear(ct, axis, coords, -1024.0)
        oar = resample_nearest(oar, axis, coords)
    # OpenKBP label numbers coincide with our class indices (same order); the mapping above documents it.
    label = oar.astype(np.uint8)
    if task == 'ptv':
        contoured = np.ones(1, dtype=bool)
    else:
        contoured = np.zeros(7, dtype=bool)
        for name in structures:
            if name in OPENKBP_TO_TG263:
                contoured[OPENKBP_TO_TG263[name][1] - 1] = True
    ct = np.clip(np.rint(ct), HU_MIN, HU_MAX).astype(np.int16)
    np.savez_compressed(out_path, ct=ct, label=label, contoured=contoured, spacing=np.array(TARGET_SPACING))
    return os.path.basename(out_path), ct.shape, int(contoured.sum())


def pack_dose(src_dir, out_path, spacing, ct):
    """hn-dose's data: CT, OAR and PTV label maps, the clinical dose (Gy, linear, 0 outside) and the possible-dose
    mask, all on the model grid. OpenKBP's PTV labels 1, 2, 3 are PTV56, PTV63 and PTV70."""
    def arr(name, dtype):
        return np.transpose(np.asarray(nib.load(os.path.join(src_dir, name)).dataobj).astype(dtype), (2, 1, 0))
    ct = np.transpose(ct, (2, 1, 0))
    oar, ptv, possible = arr('oar.nii.gz', np.uint8), arr('ptv.nii.gz', np.uint8), arr('possible_dose_mask.nii.gz', np.uint8)
    dose = arr('dose.nii.gz', np.float32)
    sx, sy, sz = spacing
    for axis, s_src, s_tgt in ((0, sz, TARGET_SPACING[2]), (1, sy, TARGET_SPACING[1]), (2, sx, TARGET_SPACING[0])):
        coords = axis_coords(ct.shape[axis], s_src, s_tgt)
        ct = resample_linear(ct, axis, coords, -1024.0)
        dose = resample_linear(dose, axis, coords, 0.0)
        oar, ptv, possible = (resample_nearest(a, axis, coords) for a in (oar, ptv, possible))
    ct = np.clip(np.rint(ct), HU_MIN, HU_MAX).astype(np.int16)
    np.savez_compressed(out_path, ct=ct, oar=oar.astype(np.uint8), ptv=ptv.astype(np.uint8), dose=dose.astype(np.float32),
                        possible=possible.astype(np.uint8), spacing=np.array(TARGET_SPACING))
    return os.path.basename(out_path), ct.shape, int((ptv > 0).sum())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    p.add_argument('--data', default=os.path.join(repo, '..', 'shared', 'data', 'openkbp'))
    p.add_argument('--out', default=os.path.join(repo, '.training-data'))
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--task', choices=['oar', 'ptv', 'dose'], default='oar')
    a = p.parse_args()
    jobs = []
    for split in ('train', 'validation'):
        index = json.load(open(os.path.join(a.data, split, 'index.json')))
        labels = index['labels']['oar']
        assert [labels[str(k)] for k in range(1, 8)] == list(OPENKBP_TO_TG263), 'OpenKBP label numbering changed'
        out_dir = os.path.join(a.out, {'oar': f'openkbp-{split}', 'ptv': f'openkbp-ptv-{split}', 'dose': f'openkbp-dose-{split}'}[a.task])
        os.makedirs(out_dir, exist_ok=True)
        for pt, meta in sorted(index['patients'].items()):
            if a.task == 'dose' and not os.path.exists(os.path.join(a.data, split, pt, 'dose.nii.gz')):
                print(f'{split}/{pt}: no dose.nii.gz, left out', file=sys.stderr)  # train/pt_38 in ../shared
                continue
            jobs.append((os.path.join(a.data, split, pt), os.path.join(out_dir, f'{pt}.npz'), meta['spacing_mm'], meta['structures'], a.task))
    with ProcessPoolExecutor(a.workers) as ex:
        for n, (name, shape, k) in enumerate(ex.map(pack_one, jobs)):
            if n % 20 == 0:
                print(f'{n + 1}/{len(jobs)} {name} {shape} contoured={k}', flush=True)
    print('done', len(jobs), file=sys.stderr)


if __name__ == '__main__':
    main()
