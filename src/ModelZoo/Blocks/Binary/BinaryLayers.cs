using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks.Binary;

/// <summary>
/// Helpers for binarised networks: latent-weight clipping and layer factories.
/// Training recipe (Courbariaux et al. 2016; larq's <c>latent_weight clip</c>): after every optimiser step call
/// <c>BinaryLayers.ClipLatentWeights(model)</c>, e.g. <c>optimizer.step(); BinaryLayers.ClipLatentWeights(model);</c>,
/// so latent weights stay in [-1, 1] where the straight-through gradient is alive.
/// </summary>
public static class BinaryLayers
{
    /// <summary>
    /// Clamps the latent weight of every <see cref="IBinaryLayer"/> in <paramref name="module"/> (itself included) to
    /// [-1, 1] in place, without recording gradients. Real-valued layers are left alone. Returns the number of layers clipped.
    /// </summary>
    /// <param name="module">A model or layer.</param>
    public static int ClipLatentWeights(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var noGrad = torch.no_grad();
        int n = 0;
        foreach (var layer in Find(module))
        {
            layer.Layer.LatentWeight.clamp_(-1.0, 1.0);
            n++;
        }
        return n;
    }

    /// <summary>Every <see cref="IBinaryLayer"/> in <paramref name="module"/> (itself included) with its module path.</summary>
    /// <param name="module">A model or layer.</param>
    public static IReadOnlyList<(string Name, IBinaryLayer Layer)> Find(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var found = new List<(string, IBinaryLayer)>();
        if (module is IBinaryLayer self) found.Add(("", self));
        foreach (var (name, m) in module.named_modules())
            if (m is IBinaryLayer b && !ReferenceEquals(m, module)) found.Add((name, b));
        return found;
    }

    /// <summary>
    /// A factory that binarises the layers <paramref name="binarizeConv"/> and <paramref name="binarizeLinear"/> pick and builds the rest with
    /// <paramref name="real"/> (default <see cref="LayerFactory.Default"/>). Activations become <c>nn.Identity</c> unless
    /// <paramref name="activation"/> is given: a ReLU before a sign would make every input +1.
    /// </summary>
    /// <param name="options">Binarisation options of the binary layers.</param>
    /// <param name="binarizeConv">Which convolutions to binarise (e.g. all but the stem and 1x1 shortcuts).</param>
    /// <param name="binarizeLinear">Which linear layers to binarise.</param>
    /// <param name="real">Factory for the real-valued layers and norms.</param>
    /// <param name="activation">Activation to use; null means identity.</param>
    public static LayerFactory Factory(BinaryLayerOptions options, Func<ConvSpec, bool> binarizeConv, Func<LinearSpec, bool> binarizeLinear,
        LayerFactory? real = null, Func<nn.Module<Tensor, Tensor>>? activation = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(binarizeConv);
        ArgumentNullException.ThrowIfNull(binarizeLinear);
        real ??= LayerFactory.Default;
        return real with
        {
            Conv = s => binarizeConv(s) ? new BinaryConv2d(s, options) : real.Conv(s),
            Linear = s => binarizeLinear(s) ? new BinaryLinear(s, options) : real.Linear(s),
            Activation = activation ?? (() => nn.Identity()),
        };
    }
}
