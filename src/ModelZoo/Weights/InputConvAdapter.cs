using static TorchSharp.torch;

namespace ModelZoo.Weights;

/// <summary>
/// Adapts a pretrained first convolution to another number of input channels, as timm's <c>adapt_input_conv</c>
/// does: for one channel the RGB filters are summed (a grey image x gives the response of the RGB image (x, x, x));
/// for more than three the RGB filters are repeated and scaled by 3 / channels, so activations keep their size.
/// </summary>
public static class InputConvAdapter
{
    /// <summary>
    /// The weight <paramref name="weight"/> (out x in x kh x kw, usually in = 3) for <paramref name="inChannels"/>
    /// input channels. A new tensor; the input is left unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">The weight is not 4-D or a channel count is not positive.</exception>
    public static Tensor Adapt(Tensor weight, long inChannels)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 4) throw new ArgumentException($"a convolution weight is 4-D, got [{string.Join(", ", weight.shape)}]", nameof(weight));
        if (inChannels < 1) throw new ArgumentException($"input channels must be positive, got {inChannels}", nameof(inChannels));
        long have = weight.shape[1];
        using var scope = NewDisposeScope();
        var w = weight.detach().to(ScalarType.Float32);
        Tensor adapted;
        if (inChannels == have) adapted = w.clone();
        else if (inChannels == 1) adapted = w.sum(1, keepdim: true);
        else
        {
            long repeats = (inChannels + have - 1) / have;
            adapted = w.repeat(1, repeats, 1, 1).narrow(1, 0, inChannels) * ((double)have / inChannels);
        }
        return adapted.to(weight.dtype).MoveToOuterDisposeScope();
    }
}
