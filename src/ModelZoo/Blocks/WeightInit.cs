using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// Weight initialisation for convolution, linear and batch-norm layers. Layers are recognised by role
/// (<see cref="IConvLayer"/>, <see cref="ILinearLayer"/>, or TorchSharp's <c>Conv2d</c>/<c>Linear</c>), so a custom
/// layer from a <see cref="LayerFactory"/> is initialised like the one it replaces. Every learnable tensor is
/// re-drawn, so with a seed the whole model is reproducible (the seed drives a private generator; the global torch
/// generator is left alone). Batch norms always start at weight 1, bias 0.
/// </summary>
public static class WeightInit
{
    /// <summary>
    /// Initialises every convolution, linear layer and <c>BatchNorm2d</c> in <paramref name="model"/>.
    /// </summary>
    /// <param name="model">The model (all sub-modules are visited).</param>
    /// <param name="scheme">The scheme: Normal (std 0.01), Xavier (normal, std sqrt(2/(fan_in+fan_out))), He (normal, std sqrt(2/fan_in)),
    /// or Default: <paramref name="familyDefault"/>.</param>
    /// <param name="seed">Seed for a private generator; null draws from the global torch generator.</param>
    /// <param name="familyDefault">What <see cref="InitScheme.Default"/> means (each family passes torchvision's choice); null means <see cref="He"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">Unknown scheme.</exception>
    public static void Apply(nn.Module model, InitScheme scheme, long? seed = null, DefaultInit? familyDefault = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Enum.IsDefined(scheme)) throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "unknown init scheme");
        using var generator = seed is long s ? new Generator(unchecked((ulong)s)) : null;
        var draws = new InitDraws(generator);
        DefaultInit init = scheme switch
        {
            InitScheme.Normal => Normal001,
            InitScheme.Xavier => Xavier,
            InitScheme.He => He,
            _ => familyDefault ?? He,
        };
        using var noGrad = torch.no_grad();
        foreach (var module in model.modules().Prepend(model)) // modules() leaves out the root itself
        {
            if (LayerRoles.AsConv(module) is { } conv)
            {
                var w = conv.Weight;
                long receptive = w.shape[2] * w.shape[3];
                init(new InitTarget(LayerRole.Conv, w, conv.Bias, w.shape[1] * receptive, w.shape[0] * receptive), draws);
            }
            else if (LayerRoles.AsLinear(module) is { } linear)
            {
                var w = linear.Weight;
                init(new InitTarget(LayerRole.Linear, w, linear.Bias, w.shape[1], w.shape[0]), draws);
            }
            else if (module is BatchNorm2d bn)
            {
                bn.weight?.fill_(1.0);
                bn.bias?.zero_();
            }
        }
    }

    /// <summary>He/Kaiming normal, std sqrt(2 / fan_in), bias 0 (<see cref="InitScheme.He"/>).</summary>
    public static void He(InitTarget target, InitDraws draws)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(draws);
        draws.Normal(target.Weight, Math.Sqrt(2.0 / target.FanIn));
        target.Bias?.zero_();
    }

    /// <summary>Kaiming normal in fan-out mode with the ReLU gain, std sqrt(2 / fan_out), bias 0 (torchvision's conv init for ResNet and VGG).</summary>
    public static void KaimingNormalFanOut(InitTarget target, InitDraws draws)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(draws);
        draws.Normal(target.Weight, Math.Sqrt(2.0 / target.FanOut));
        target.Bias?.zero_();
    }

    /// <summary>PyTorch's default for Linear: kaiming_uniform(a = sqrt 5) = U(+-1/sqrt(fan_in)), bias the same bound.</summary>
    public static void TorchLinearDefault(InitTarget target, InitDraws draws)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(draws);
        double bound = 1.0 / Math.Sqrt(target.FanIn);
        draws.Uniform(target.Weight, bound);
        if (target.Bias is not null) draws.Uniform(target.Bias, bound);
    }

    /// <summary>Gaussian N(0, 0.01^2), bias 0 (<see cref="InitScheme.Normal"/>; torchvision's linear init for VGG).</summary>
    public static void Normal001(InitTarget target, InitDraws draws)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(draws);
        draws.Normal(target.Weight, 0.01);
        target.Bias?.zero_();
    }

    private static void Xavier(InitTarget target, InitDraws draws)
    {
        draws.Normal(target.Weight, Math.Sqrt(2.0 / (target.FanIn + target.FanOut)));
        target.Bias?.zero_();
    }
}
