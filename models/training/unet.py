"""The hn-oar networks (shared by train.py, train3d.py and export_onnx.py).

UNet2D, the 2.5D U-Net (hn-oar 0.1–0.2, hn-target-proposal):
Input  [N, 3, H, W]: three adjacent axial slices (k-1, k, k+1) of the normalised CT, H and W multiples of 8.
Output [N, 8, H, W]: logits for background + the 7 OARs (softmax is applied by the engine, so the exported
graph stays a plain logit network that any manifest can describe).
UNet3D, the 3D U-Net, and Ensemble3D25D, both networks over one 3D patch (hn-oar ≥ 0.3): see their docstrings.
"""
import torch
from torch import nn


def block(cin: int, cout: int, dims: int = 2) -> nn.Sequential:
    """Two 3×3 (dims 2) or 3×3×3 (dims 3) conv + BatchNorm + LeakyReLU (BatchNorm folds into the conv in ONNX
    Runtime at load)."""
    conv, norm = (nn.Conv2d, nn.BatchNorm2d) if dims == 2 else (nn.Conv3d, nn.BatchNorm3d)
    return nn.Sequential(
        conv(cin, cout, 3, padding=1, bias=False),
        norm(cout),
        nn.LeakyReLU(0.01, inplace=True),
        conv(cout, cout, 3, padding=1, bias=False),
        norm(cout),
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


class UNet3D(nn.Module):
    """3D U-Net (hn-oar ≥ 0.3): `levels` resolutions (levels-1 2× poolings), `base` channels at full resolution,
    doubling per level up to `cap`.

    Input  [N, 1, Z, Y, X]: a patch of the normalised CT, each side a multiple of 2**(levels-1).
    Output [N, classes, Z, Y, X]: logits (softmax is the engine's).
    """

    def __init__(self, classes: int = 8, base: int = 16, levels: int = 5, cap: int = 256):
        super().__init__()
        c = [min(cap, base * 2 ** i) for i in range(levels)]
        self.levels = levels
        self.enc = nn.ModuleList([block(1 if i == 0 else c[i - 1], c[i], 3) for i in range(levels)])
        self.pool = nn.MaxPool3d(2)
        self.up = nn.ModuleList([nn.ConvTranspose3d(c[i + 1], c[i], 2, stride=2) for i in range(levels - 1)])
        self.dec = nn.ModuleList([block(2 * c[i], c[i], 3) for i in range(levels - 1)])
        self.head = nn.Conv3d(c[0], classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, enc in enumerate(self.enc):
            x = enc(x)
            if i < self.levels - 1:
                skips.append(x)
                x = self.pool(x)
        for i in reversed(range(self.levels - 1)):
            x = self.up[i](x)
            x = self.dec[i](torch.cat([skips[i], x], dim=1))
        return self.head(x)


class ShuffleUp3D(nn.Module):
    """A ConvTranspose3d with kernel 2 and stride 2, computed as a 1×1×1 convolution to 8× the channels and a 3D
    depth-to-space (Reshape, Transpose, Reshape): the same numbers, in operators ONNX Runtime's WebGPU provider
    runs (its 1.30 release has no 3D ConvTranspose: "currently only support 2-dimensional conv"). Used by
    export_onnx.py only; training keeps nn.ConvTranspose3d.

    out[n, o, 2z+a, 2y+b, 2x+c] = bias[o] + sum_i W[i, o, a, b, c] · x[n, i, z, y, x]
    """

    def __init__(self, up: nn.ConvTranspose3d):
        super().__init__()
        assert tuple(up.kernel_size) == (2, 2, 2) and tuple(up.stride) == (2, 2, 2) and tuple(up.padding) == (0, 0, 0)
        assert up.groups == 1 and tuple(up.dilation) == (1, 1, 1) and tuple(up.output_padding) == (0, 0, 0)
        cin, cout = up.in_channels, up.out_channels
        self.cout = cout
        self.conv = nn.Conv3d(cin, cout * 8, 1, bias=up.bias is not None)
        with torch.no_grad():
            # W [cin, cout, 2, 2, 2] → [cout, 2, 2, 2, cin] → [cout·8, cin, 1, 1, 1]: channel o·8 + a·4 + b·2 + c.
            self.conv.weight.copy_(up.weight.permute(1, 2, 3, 4, 0).reshape(cout * 8, cin, 1, 1, 1))
            if up.bias is not None:
                self.conv.bias.copy_(up.bias.repeat_interleave(8))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, z, y, w = x.shape
        t = self.conv(x).reshape(n, self.cout, 2, 2, 2, z, y, w)
        return t.permute(0, 1, 5, 2, 6, 3, 7, 4).reshape(n, self.cout, 2 * z, 2 * y, 2 * w)


def webgpu_friendly(model: nn.Module) -> nn.Module:
    """Replaces every UNet3D's ConvTranspose3d by its ShuffleUp3D equivalent, in place; returns the model."""
    for m in model.modules():
        if isinstance(m, UNet3D):
            m.up = nn.ModuleList([ShuffleUp3D(u) if isinstance(u, nn.ConvTranspose3d) else u for u in m.up])
    return model


class Ensemble3D25D(nn.Module):
    """hn-oar ≥ 0.3: a 3D U-Net and a 2.5D U-Net over the same 3D patch, their class probabilities averaged
    (nnU-Net's ensembling). The 2.5D member sees each slice of the patch with its two neighbours, the patch's first
    and last slice repeated beyond it (the engine blends tiles with a Gaussian, so patch edges weigh little).

    Input [N, 1, Z, Y, X] normalised CT; output [N, classes, Z, Y, X] log of the mean probability, which the engine's
    softmax turns back into exactly that mean probability.
    """

    def __init__(self, net3d: nn.Module, net2d: nn.Module):
        super().__init__()
        self.net3d = net3d
        self.net2d = net2d

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = torch.log_softmax(self.net3d(x), dim=1)
        n, _, z, h, w = x.shape
        s = x[:, 0]
        prev = torch.cat([s[:, :1], s[:, :-1]], dim=1)
        nxt = torch.cat([s[:, 1:], s[:, -1:]], dim=1)
        slab = torch.stack([prev, s, nxt], dim=2).reshape(n * z, 3, h, w)
        b = torch.log_softmax(self.net2d(slab), dim=1)
        b = b.reshape(n, z, b.shape[1], h, w).permute(0, 2, 1, 3, 4)
        # log((exp a + exp b) / 2), as element-wise operators: ONNX Runtime 1.30's WebGPU ReduceLogSumExp (what
        # torch.logsumexp over a stack exports to) got the last element of the tensor wrong by ln 2.
        m = torch.maximum(a, b)
        return m + torch.log(torch.exp(a - m) + torch.exp(b - m)) - 0.6931471805599453
