using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>The projection shortcut of the residual blocks.</summary>
internal static class Shortcut
{
    /// <summary>1x1 conv (no bias) + batch norm when the shape changes, else null (identity).</summary>
    public static nn.Module<Tensor, Tensor>? Projection(long inChannels, long outChannels, long stride) =>
        stride == 1 && inChannels == outChannels
            ? null
            : nn.Sequential(
                ("0", nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)),
                ("1", nn.BatchNorm2d(outChannels)));
}
