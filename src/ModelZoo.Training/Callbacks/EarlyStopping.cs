namespace ModelZoo.Training;

/// <summary>
/// Stops the run (<see cref="TrainingStatus.EarlyStopped"/>) once the score (validation top-1, or minus the training
/// loss without validation) has not improved for <see cref="Patience"/> epochs. The trainer adds one when
/// <see cref="TrainingOptions.EarlyStopPatience"/> is set; the counter is the trainer's, so it survives a resume.
/// </summary>
public sealed class EarlyStopping : ITrainingCallback
{
    /// <summary>Stops after <paramref name="patience"/> epochs without improvement.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="patience"/> is below 1.</exception>
    public EarlyStopping(int patience)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
        Patience = patience;
    }

    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; }

    /// <inheritdoc />
    public void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        if (trainer.EpochsWithoutImprovement >= Patience) trainer.RequestStop(TrainingStatus.EarlyStopped);
    }
}
