using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>The projection shortcut of the residual blocks.</summary>
internal static class Shortcut
{
    /// <summary>1x1 conv (no bias) + norm when the shape changes, else null (identity).</summary>
    public static nn.Module<Tensor, Tensor>? Projection(long inChannels, long outChannels, long stride, LayerFactory layers) =>
        stride == 1 && inChannels == outChannels
            ? null
            : nn.Sequential(
                ("0", layers.Conv(new ConvSpec(inChannels, outChannels, 1, stride, 0, Bias: false))),
                ("1", layers.Norm(new NormSpec(outChannels))));

    /// <summary>Zeros a norm layer's own <c>weight</c> parameter (gamma), whatever the norm's type.</summary>
    public static void ZeroNormWeight(nn.Module norm)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in norm.named_parameters(recurse: false))
            if (name == "weight") p.zero_();
    }
}
