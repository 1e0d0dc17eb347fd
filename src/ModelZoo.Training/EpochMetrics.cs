namespace ModelZoo.Training;

/// <summary>What one epoch measured; one line of <c>metrics.jsonl</c>.</summary>
/// <param name="Epoch">Epoch, 1-based.</param>
/// <param name="TrainLoss">Mean training loss.</param>
/// <param name="TrainAccuracy">Training top-1 accuracy in [0, 1].</param>
/// <param name="ValidationLoss">Validation loss, when validated.</param>
/// <param name="ValidationAccuracy">Validation top-1 accuracy, when validated.</param>
/// <param name="ValidationTop5">Validation top-5 accuracy, when validated.</param>
/// <param name="LearningRate">Learning rate at the end of the epoch.</param>
/// <param name="Seconds">Wall time of the epoch (training and validation).</param>
/// <param name="ImagesPerSecond">
/// Training throughput: training images over the wall time of the training phase (data loading and augmentation
/// included, validation excluded).
/// </param>
/// <param name="Step">Global step at the end of the epoch.</param>
/// <param name="ResidentBytes">
/// Resident memory of the process (managed and native, from the operating system) at the end of the epoch, so a run
/// shows whether memory stays flat across epochs.
/// </param>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double? ValidationLoss,
    double? ValidationAccuracy,
    double? ValidationTop5,
    double LearningRate,
    double Seconds,
    double ImagesPerSecond,
    long Step,
    long ResidentBytes)
{
    /// <summary>Validation loss of the model EMA (<see cref="TrainingOptions.EmaDecay"/>), when validated with one.</summary>
    public double? ValidationLossEma { get; init; }

    /// <summary>Validation top-1 accuracy of the model EMA, when validated with one.</summary>
    public double? ValidationAccuracyEma { get; init; }
}
