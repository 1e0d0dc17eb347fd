using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>Classification: the mean cross-entropy of the model's logits, with optional label smoothing; soft targets (mixup/CutMix) use the soft-target cross-entropy.</summary>
public sealed class ClassificationTask : ITrainingTask
{
    /// <summary>Creates the task.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1).</exception>
    public ClassificationTask(double labelSmoothing = 0)
    {
        if (labelSmoothing is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "must be in [0, 1)");
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>Label smoothing of the cross-entropy.</summary>
    public double LabelSmoothing { get; }

    /// <summary>Picks the task for <paramref name="model"/>: <see cref="AuxiliaryHeadsTask"/> when it has auxiliary heads, else this one.</summary>
    public static ITrainingTask For(nn.Module<Tensor, Tensor> model, double labelSmoothing) =>
        model is IAuxiliaryLogits { HasAuxiliaryLogits: true } ? new AuxiliaryHeadsTask(labelSmoothing) : new ClassificationTask(labelSmoothing);

    /// <inheritdoc />
    public (Tensor Loss, Tensor Logits) Compute(nn.Module<Tensor, Tensor> model, Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(model);
        var logits = model.forward(input);
        return (Loss(logits, target), logits);
    }

    /// <summary>
    /// Class indices [N]: cross-entropy with label smoothing. Soft targets [N, classes] (mixup/CutMix, smoothing already
    /// folded in): timm's <c>SoftTargetCrossEntropy</c>, <c>mean(sum(-target x log_softmax(logits)))</c>.
    /// </summary>
    /// <remarks>16-bit logits (a mixed-precision forward pass) are widened to float32 first: the loss is always float32.</remarks>
    internal static Tensor CrossEntropy(Tensor logits, Tensor target, double labelSmoothing)
    {
        if (logits.dtype is ScalarType.BFloat16 or ScalarType.Float16) logits = logits.to_type(ScalarType.Float32);
        return target.is_floating_point()
            ? (-(target.to_type(logits.dtype) * nn.functional.log_softmax(logits, 1))).sum(1).mean()
            : nn.functional.cross_entropy(logits, target, label_smoothing: labelSmoothing);
    }

    private Tensor Loss(Tensor logits, Tensor target) => CrossEntropy(logits, target, LabelSmoothing);
}
