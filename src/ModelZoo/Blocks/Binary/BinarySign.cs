using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks.Binary;

/// <summary>
/// Sign binarisation with surrogate gradients. The forward value is exactly <c>+1</c> or <c>-1</c> (sign(0) = +1);
/// the backward pass is the gradient of a surrogate <c>f</c>: <c>out = sign(x) + (f(x) - f(x).detach())</c>, whose value
/// is <c>sign(x) + 0</c> exactly and whose gradient is <c>f'(x)</c>. For <see cref="BinaryGradient.SteSign"/>
/// <c>f = clamp(x, -1, 1)</c> (hardtanh: gradient 1 where |x| &lt;= 1); for <see cref="BinaryGradient.ApproxSign"/>
/// <c>f(c) = 2c - c|c|</c> on <c>c = clamp(x, -1, 1)</c> (gradient 2 - 2|x| inside). This detach form was chosen over a
/// TorchSharp custom autograd function: it gives the same gradients, needs no native callback, and composes with
/// everything libtorch differentiates.
/// </summary>
public static class BinarySign
{
    /// <summary>The sign with sign(0) = +1, in the input's dtype; no gradient.</summary>
    /// <param name="x">Any tensor.</param>
    public static Tensor Sign(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var noGrad = torch.no_grad();
        return torch.where(x.ge(0), torch.ones_like(x), torch.ones_like(x).neg());
    }

    /// <summary>The sign of <paramref name="x"/> forward, the chosen surrogate gradient backward.</summary>
    /// <param name="x">Any floating tensor.</param>
    /// <param name="gradient">Which surrogate gradient.</param>
    public static Tensor Binarize(Tensor x, BinaryGradient gradient = BinaryGradient.SteSign)
    {
        ArgumentNullException.ThrowIfNull(x);
        var sign = Sign(x);
        if (!x.requires_grad) return sign;
        var c = x.clamp(-1.0, 1.0);
        var f = gradient switch
        {
            BinaryGradient.SteSign => c,
            BinaryGradient.ApproxSign => c.mul(2.0).sub(c.mul(c.abs())),
            _ => throw new ArgumentOutOfRangeException(nameof(gradient), gradient, "unknown binary gradient"),
        };
        return sign.add(f.sub(f.detach()));
    }

    /// <summary>
    /// Per-output-channel scale <c>alpha = mean |W|</c> over every dimension but the first (XNOR-Net; larq's
    /// <c>MagnitudeAwareSign</c>), shape <c>[out]</c>, detached (no gradient flows through the scale, as in larq).
    /// </summary>
    /// <param name="weight">A weight of shape <c>[out, ...]</c>.</param>
    public static Tensor Alpha(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var noGrad = torch.no_grad();
        return weight.abs().reshape(weight.shape[0], -1).mean([1L]);
    }
}
