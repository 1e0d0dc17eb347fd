namespace ModelZoo.Training;

/// <summary>The outcome of <see cref="Trainer.Fit"/>.</summary>
/// <param name="Status">How the run ended.</param>
/// <param name="EpochsCompleted">Epochs completed, counting those before a resume.</param>
/// <param name="Step">Global optimiser steps taken.</param>
/// <param name="History">Metrics of the epochs run by this call.</param>
/// <param name="BestEpoch">Epoch of the best model, if any.</param>
/// <param name="BestValidationAccuracy">Its validation accuracy, if validated.</param>
/// <param name="LastCheckpoint">Path of <c>last</c>, when a run directory is set.</param>
/// <param name="BestCheckpoint">Path of <c>best</c>, when a run directory is set and one was written.</param>
public sealed record TrainingResult(
    TrainingStatus Status,
    int EpochsCompleted,
    long Step,
    IReadOnlyList<EpochMetrics> History,
    int? BestEpoch,
    double? BestValidationAccuracy,
    string? LastCheckpoint,
    string? BestCheckpoint);
