using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// One VGG stage: <c>n</c> x (3x3 convolution, padding 1 [+ batch norm] + ReLU), then a 2x2 max-pool
/// with stride 2. Its children are numbered like a torch <c>Sequential</c> (<c>0.weight</c>, <c>1.weight</c>, ...).
/// VGG flattens several stages into one <c>features</c> sequence with <see cref="CreateLayers"/>, which is
/// what gives torchvision's flat <c>features.N</c> keys.
/// </summary>
public sealed class Conv3x3Stack : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor>[] stage;

    /// <summary>Creates the stage.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels of every convolution.</param>
    /// <param name="convolutions">Number of 3x3 convolutions (VGG uses 1 to 4).</param>
    /// <param name="batchNorm">Insert batch norm after each convolution.</param>
    /// <param name="pool">End with the 2x2 max-pool (false: leave it out).</param>
    /// <param name="layers">The layer factory; null means <see cref="LayerFactory.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or channel number is not positive.</exception>
    public Conv3x3Stack(long inChannels, long outChannels, int convolutions, bool batchNorm = false, bool pool = true, LayerFactory? layers = null)
        : base(nameof(Conv3x3Stack))
    {
        stage = CreateLayers(inChannels, outChannels, convolutions, batchNorm, pool, layers).ToArray();
        for (int i = 0; i < stage.Length; i++) register_module(i.ToString(System.Globalization.CultureInfo.InvariantCulture), stage[i]);
    }

    /// <summary>
    /// The stage's layers in order (conv, [bn], relu, ..., [max-pool]) without a wrapping module, for
    /// models that number layers across stages.
    /// </summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels of every convolution.</param>
    /// <param name="convolutions">Number of 3x3 convolutions.</param>
    /// <param name="batchNorm">Insert batch norm after each convolution.</param>
    /// <param name="pool">End with the 2x2 max-pool.</param>
    /// <param name="layers">The layer factory; null means <see cref="LayerFactory.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or channel number is not positive.</exception>
    public static IReadOnlyList<nn.Module<Tensor, Tensor>> CreateLayers(long inChannels, long outChannels, int convolutions, bool batchNorm = false, bool pool = true, LayerFactory? layers = null)
    {
        layers ??= LayerFactory.Default;
        BlockChecks.Positive(inChannels, nameof(inChannels));
        BlockChecks.Positive(outChannels, nameof(outChannels));
        BlockChecks.Positive(convolutions, nameof(convolutions));
        var list = new List<nn.Module<Tensor, Tensor>>();
        long c = inChannels;
        for (int i = 0; i < convolutions; i++)
        {
            list.Add(layers.Conv(new ConvSpec(c, outChannels, 3, 1, 1)));
            if (batchNorm) list.Add(layers.Norm(new NormSpec(outChannels)));
            list.Add(layers.Activation());
            c = outChannels;
        }
        if (pool) list.Add(nn.MaxPool2d(2, stride: 2));
        return list;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var layer in stage) x = layer.call(x);
        return x;
    }
}
