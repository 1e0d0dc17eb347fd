using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Blocks.Binary;

/// <summary>What <see cref="BinaryConv2d"/> and <see cref="BinaryLinear"/> share around their one conv/linear call.</summary>
internal static class BinaryOperands
{
    /// <summary>
    /// In training mode (when the options ask) clamps the latent weight to [-1, 1], then returns the input
    /// (binarised when the options ask) and the binarised weight, ready for the layer's conv or linear call.
    /// </summary>
    public static (Tensor Input, Tensor Weight) Prepare(Parameter weight, Tensor input, BinaryLayerOptions options, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (training && options.ClipLatentInForward)
        {
            using var noGrad = no_grad();
            weight.clamp_(-1.0, 1.0);
        }
        var x = options.BinarizeInput ? BinarySign.Binarize(input, options.InputGradient) : input;
        return (x, BinarySign.Binarize(weight, BinaryGradient.SteSign));
    }

    /// <summary>The per-output scale: the fixed one when set, else alpha = mean|W|; null without scaling.</summary>
    public static Tensor? Scale(BinaryLayerOptions options, Tensor weight, Tensor? fixedScale) =>
        options.Scaling ? fixedScale ?? BinarySign.Alpha(weight) : null;

    /// <summary>A detached copy of <paramref name="scale"/> on the weight's device and dtype, outside any dispose scope.</summary>
    public static Tensor? Fixed(Tensor? scale, Tensor weight) =>
        scale?.detach().to(weight.device).to(weight.dtype).clone().DetachFromDisposeScope();
}
