namespace ModelZoo.Training;

/// <summary>
/// The one observer of a run: progress, epoch ends and the run's start and end. The loop's own run-directory work
/// (checkpoints, metrics.jsonl, TensorBoard) and early stopping are callbacks too (<see cref="CheckpointCallback"/>,
/// <see cref="MetricsJsonlWriter"/>, <see cref="TensorBoardCallback"/>, <see cref="EarlyStopping"/>); so are the CLI's
/// live progress view and curves.png. Called on the training thread, in order; every member has an empty default.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>Before the first epoch of this <see cref="Trainer.Fit"/> call.</summary>
    void OnTrainingStart(Trainer trainer) { }

    /// <summary>
    /// Every <see cref="TrainingOptions.ProgressInterval"/> training steps and at the epoch's last step (phase "train"),
    /// and every 10 validation batches (phase "val"). The loss and accuracy are this process's running means.
    /// </summary>
    void OnProgress(Trainer trainer, TrainingProgress progress) { }

    /// <summary>
    /// After each epoch and its validation, once the score is updated (<see cref="Trainer.ImprovedThisEpoch"/>) and
    /// before the epoch's metrics are taken (resident memory is read after this stage): where checkpoints are written.
    /// </summary>
    void OnEpochCompleted(Trainer trainer) { }

    /// <summary>After <see cref="OnEpochCompleted"/> of every callback, with the epoch's metrics.</summary>
    void OnEpochEnd(Trainer trainer, EpochMetrics metrics) { }

    /// <summary>When the run ends, however it ends (<paramref name="status"/> is null after an exception).</summary>
    void OnTrainingEnd(Trainer trainer, TrainingStatus? status) { }
}
