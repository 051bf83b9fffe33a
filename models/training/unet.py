"""The 2.5D U-Net of the hn-oar model (shared by train.py and export_onnx.py).

Input  [N, 3, H, W]: three adjacent axial slices (k-1, k, k+1) of the normalised CT, H and W multiples of 8.
Output [N, 8, H, W]: logits for background + the 7 OARs (softmax is applied by the engine, so the exported
graph stays a plain logit network that any manifest can describe).
"""
import torch
from torch import nn


def block(cin: int, cout: int) -> nn.Sequential:
    """Two 3×3 conv + BatchNorm + LeakyReLU (BatchNorm folds into the conv in ONNX Runtime at load)."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.LeakyReLU(0.01, inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.LeakyReLU(0.01, inplace=True),
    )


class UNet2D(nn.Module):
    """Four-level U-Net (three 2× poolings), `base` channels at full resolution, doubling per level."""

    def __init__(self, in_channels: int = 3, classes: int = 8, base: int = 16):
        super().__init__()
        c = [base, base * 2, base * 4, base * 8]
        self.enc = nn.ModuleList([block(in_channels, c[0]), block(c[0], c[1]), block(c[1], c[2]), block(c[2], c[3])])
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList([nn.ConvTranspose2d(c[i + 1], c[i], 2, stride=2) for i in range(3)])
        self.dec = nn.ModuleList([block(2 * c[i], c[i]) for i in range(3)])
        self.head = nn.Conv2d(c[0], classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, enc in enumerate(self.enc):
            x = enc(x)
            if i < 3:
                skips.append(x)
                x = self.pool(x)
        for i in (2, 1, 0):
            x = self.up[i](x)
            x = self.dec[i](torch.cat([skips[i], x], dim=1))
        return self.head(x)
