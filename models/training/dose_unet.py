"""The hn-dose network (shared by train_dose.py and export_dose_onnx.py).

DoseUNet: a 3D U-Net whose deep part runs at half the model grid's resolution. Dose is smooth except at target
edges, so the expensive layers run at 8 × 8 × 6 mm and only a thin stem and head work at the model grid
(4 × 4 × 3 mm), where the head sees the input masks again to place the steep fall-off at the PTV edge.

Input  [N, 9, Z, Y, X] (each side a multiple of 16): channel 0 the normalised CT, channel 1 the prescription of
the PTV covering the voxel / 70 Gy (0 outside every PTV; the highest where PTVs overlap), channels 2–8 the OAR
masks (0/1) in the manifest's order.
Output [N, 1, Z, Y, X]: dose in Gy (≥ 0).
"""
import torch
from torch import nn

IN_CHANNELS = 9
DOSE_SCALE_GY = 70.0


def conv_bn(cin: int, cout: int, k: int = 3, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv3d(cin, cout, k, stride=stride, padding=k // 2 if stride == 1 else 0, bias=False),
                         nn.BatchNorm3d(cout), nn.LeakyReLU(0.01, inplace=True))


def block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(conv_bn(cin, cout), conv_bn(cout, cout))


class DoseUNet(nn.Module):
    def __init__(self, base: int = 24, stem: int = 8, levels: int = 4, cap: int = 128):
        super().__init__()
        c = [min(cap, base * 2 ** i) for i in range(levels)]
        self.levels = levels
        self.stem = conv_bn(IN_CHANNELS, stem)
        self.down = conv_bn(stem, stem * 2, k=2, stride=2)  # model grid → half resolution
        self.enc = nn.ModuleList([block(stem * 2 if i == 0 else c[i - 1], c[i]) for i in range(levels)])
        self.pool = nn.MaxPool3d(2)
        self.up = nn.ModuleList([nn.ConvTranspose3d(c[i + 1], c[i], 2, stride=2) for i in range(levels - 1)])
        self.dec = nn.ModuleList([block(2 * c[i], c[i]) for i in range(levels - 1)])
        self.up0 = nn.ConvTranspose3d(c[0], stem, 2, stride=2)
        self.head = nn.Sequential(conv_bn(2 * stem + IN_CHANNELS, stem), nn.Conv3d(stem, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.stem(x)
        h = self.down(s)
        skips = []
        for i, enc in enumerate(self.enc):
            h = enc(h)
            if i < self.levels - 1:
                skips.append(h)
                h = self.pool(h)
        for i in reversed(range(self.levels - 1)):
            h = self.up[i](h)
            h = self.dec[i](torch.cat([skips[i], h], dim=1))
        h = self.up0(h)
        out = self.head(torch.cat([x, s, h], dim=1))
        return torch.relu(out) * DOSE_SCALE_GY
