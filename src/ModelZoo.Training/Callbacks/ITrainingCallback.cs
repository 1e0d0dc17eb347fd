namespace ModelZoo.Training;

/// <summary>Observes a run: metrics writers, TensorBoard, plots. Called on the training thread.</summary>
public interface ITrainingCallback
{
    /// <summary>Before the first epoch of this <see cref="Trainer.Fit"/> call.</summary>
    void OnTrainingStart(Trainer trainer);

    /// <summary>After each epoch (and its validation).</summary>
    void OnEpochEnd(Trainer trainer, EpochMetrics metrics);

    /// <summary>When the run ends, however it ends (also after an exception).</summary>
    void OnTrainingEnd(Trainer trainer, TrainingStatus? status);
}
