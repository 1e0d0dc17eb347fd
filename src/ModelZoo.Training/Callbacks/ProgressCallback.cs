namespace ModelZoo.Training;

/// <summary>A callback that hands each progress report to a delegate: <c>trainer.Callbacks.Add(new ProgressCallback(p => ...))</c>.</summary>
public sealed class ProgressCallback : ITrainingCallback
{
    private readonly Action<TrainingProgress> _onProgress;

    /// <summary>Calls <paramref name="onProgress"/> on the training thread for every report.</summary>
    public ProgressCallback(Action<TrainingProgress> onProgress)
    {
        ArgumentNullException.ThrowIfNull(onProgress);
        _onProgress = onProgress;
    }

    /// <inheritdoc />
    public void OnProgress(Trainer trainer, TrainingProgress progress) => _onProgress(progress);
}
