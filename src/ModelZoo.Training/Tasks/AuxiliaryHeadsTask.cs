using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// Classification with auxiliary heads (GoogLeNet): the main cross-entropy plus each auxiliary head's cross-entropy
/// times <see cref="IAuxiliaryLogits.AuxiliaryLossWeight"/>. Accuracy is measured on the main logits.
/// </summary>
public sealed class AuxiliaryHeadsTask : ITrainingTask
{
    /// <summary>Creates the task.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1).</exception>
    public AuxiliaryHeadsTask(double labelSmoothing = 0)
    {
        if (labelSmoothing is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "must be in [0, 1)");
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>Label smoothing of every cross-entropy term.</summary>
    public double LabelSmoothing { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="model"/> does not implement <see cref="IAuxiliaryLogits"/>.</exception>
    public (Tensor Loss, Tensor Logits) Compute(nn.Module<Tensor, Tensor> model, Tensor input, Tensor target)
    {
        if (model is not IAuxiliaryLogits aux) throw new ArgumentException("the model has no auxiliary heads (IAuxiliaryLogits)", nameof(model));
        var (main, extras) = aux.ForwardWithAuxiliary(input);
        var total = ClassificationTask.CrossEntropy(main, target, LabelSmoothing);
        foreach (var a in extras) total = total + ClassificationTask.CrossEntropy(a, target, LabelSmoothing) * aux.AuxiliaryLossWeight;
        return (total, main);
    }
}
