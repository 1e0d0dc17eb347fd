namespace ModelZoo.Training.Experiments;

/// <summary>What one variant's run measured.</summary>
/// <param name="Variant">The variant.</param>
/// <param name="StepLosses">The training loss of every optimiser step, in order (step 1 first).</param>
/// <param name="Epochs">Per-epoch metrics (train and test loss and accuracy).</param>
/// <param name="Parameters">Trainable parameters of the model.</param>
/// <param name="Seconds">Wall-clock seconds of training and testing.</param>
public sealed record VariantResult(
    ExperimentVariant Variant,
    IReadOnlyList<double> StepLosses,
    IReadOnlyList<EpochMetrics> Epochs,
    long Parameters,
    double Seconds)
{
    /// <summary>Test accuracy after the last epoch.</summary>
    public double? TestAccuracy => Epochs.Count > 0 ? Epochs[^1].ValidationAccuracy : null;

    /// <summary>Test loss after the last epoch.</summary>
    public double? TestLoss => Epochs.Count > 0 ? Epochs[^1].ValidationLoss : null;

    /// <summary>Mean training loss over the last <paramref name="fraction"/> of the steps (the end of the curve, less noisy than one step).</summary>
    public double FinalTrainLoss(double fraction = 0.2)
    {
        if (StepLosses.Count == 0) return double.NaN;
        int n = Math.Max(1, (int)Math.Ceiling(StepLosses.Count * fraction));
        return StepLosses.Skip(StepLosses.Count - n).Average();
    }

    /// <summary>Mean training loss over all steps (the area under the curve: lower means it learned faster).</summary>
    public double MeanTrainLoss => StepLosses.Count == 0 ? double.NaN : StepLosses.Average();
}
