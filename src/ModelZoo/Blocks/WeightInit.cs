using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// Weight initialisation for convolution, linear and batch-norm layers. Every learnable tensor is
/// re-drawn, so with a seed the whole model is reproducible (the seed drives a private generator; the
/// global torch generator is left alone). Batch norms always start at weight 1, bias 0.
/// </summary>
public static class WeightInit
{
    /// <summary>
    /// Initialises every <c>Conv2d</c>, <c>Linear</c> and <c>BatchNorm2d</c> in <paramref name="model"/>.
    /// <see cref="InitScheme.Default"/> is He here; the zoo's families map it to torchvision's choice.
    /// </summary>
    /// <param name="model">The model (all sub-modules are visited).</param>
    /// <param name="scheme">The scheme: Normal (std 0.01), Xavier (normal, std sqrt(2/(fan_in+fan_out))), He (normal, std sqrt(2/fan_in)).</param>
    /// <param name="seed">Seed for a private generator; null draws from the global torch generator.</param>
    /// <exception cref="ArgumentOutOfRangeException">Unknown scheme.</exception>
    public static void Apply(nn.Module model, InitScheme scheme, long? seed = null) =>
        Apply(model, scheme, seed, FamilyDefault.He);

    /// <summary>Initialises with a family's torchvision default behind <see cref="InitScheme.Default"/>.</summary>
    internal static void Apply(nn.Module model, InitScheme scheme, long? seed, FamilyDefault family)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Enum.IsDefined(scheme)) throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "unknown init scheme");
        using var generator = seed is long s ? new Generator(unchecked((ulong)s)) : null;
        using var noGrad = torch.no_grad();
        foreach (var module in model.modules().Prepend(model)) // modules() leaves out the root itself
        {
            switch (module)
            {
                case Conv2d conv:
                {
                    var w = conv.weight!;
                    long receptive = w.shape[2] * w.shape[3];
                    InitWeight(w, w.shape[1] * receptive, w.shape[0] * receptive, conv.bias, isConv: true, scheme, family, generator);
                    break;
                }
                case Linear linear:
                    InitWeight(linear.weight!, linear.weight!.shape[1], linear.weight!.shape[0], linear.bias, isConv: false, scheme, family, generator);
                    break;
                case BatchNorm2d bn:
                    bn.weight?.fill_(1.0);
                    bn.bias?.zero_();
                    break;
            }
        }
    }

    private static void InitWeight(Tensor weight, long fanIn, long fanOut, Tensor? bias, bool isConv, InitScheme scheme, FamilyDefault family, Generator? g)
    {
        switch (scheme)
        {
            case InitScheme.Normal:
                Normal(weight, 0.01, g);
                bias?.zero_();
                return;
            case InitScheme.Xavier:
                Normal(weight, Math.Sqrt(2.0 / (fanIn + fanOut)), g);
                bias?.zero_();
                return;
            case InitScheme.He:
                Normal(weight, Math.Sqrt(2.0 / fanIn), g);
                bias?.zero_();
                return;
        }

        // InitScheme.Default: torchvision's choice for the family.
        switch (family)
        {
            case FamilyDefault.ResNet when isConv:
            case FamilyDefault.Vgg when isConv:
                Normal(weight, Math.Sqrt(2.0 / fanOut), g); // kaiming_normal, mode fan_out, ReLU gain
                bias?.zero_();
                break;
            case FamilyDefault.ResNet:
                TorchLinearDefault(weight, fanIn, bias, g); // torchvision leaves ResNet's fc at PyTorch's default
                break;
            case FamilyDefault.Vgg:
                Normal(weight, 0.01, g);
                bias?.zero_();
                break;
            case FamilyDefault.GoogLeNet:
                // Truncated normal N(0, 0.01) cut at +-2 like torchvision. Drawn as normal + clamp: the cut is 200 std
                // away, so nothing is ever clipped; TorchSharp's trunc_normal_ (inverse-CDF) can return +-inf for a
                // uniform draw of exactly +-1, which occasionally poisoned a whole GoogLeNet with NaN.
                Normal(weight, 0.01, g);
                weight.clamp_(-2.0, 2.0);
                if (bias is not null) Uniform(bias, 1.0 / Math.Sqrt(fanIn), g);
                break;
            default:
                Normal(weight, Math.Sqrt(2.0 / fanIn), g);
                bias?.zero_();
                break;
        }
    }

    /// <summary>PyTorch's default for Linear: kaiming_uniform(a = sqrt 5) = U(+-1/sqrt(fan_in)), bias the same bound.</summary>
    private static void TorchLinearDefault(Tensor weight, long fanIn, Tensor? bias, Generator? g)
    {
        double bound = 1.0 / Math.Sqrt(fanIn);
        Uniform(weight, bound, g);
        if (bias is not null) Uniform(bias, bound, g);
    }

    // Drawn with torch.randn/rand, which honour the generator (nn.init.normal_/uniform_ in TorchSharp 0.107 ignore it).
    private static void Normal(Tensor t, double std, Generator? g)
    {
        using var draw = torch.randn(t.shape, dtype: t.dtype, device: t.device, generator: g);
        t.copy_(draw).mul_(std);
    }

    private static void Uniform(Tensor t, double bound, Generator? g)
    {
        using var draw = torch.rand(t.shape, dtype: t.dtype, device: t.device, generator: g);
        t.copy_(draw).mul_(2 * bound).sub_(bound);
    }
}

/// <summary>Which torchvision default <see cref="InitScheme.Default"/> stands for.</summary>
internal enum FamilyDefault
{
    He,
    ResNet,
    Vgg,
    GoogLeNet,
}
