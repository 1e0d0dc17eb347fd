namespace ModelZoo.Training;

/// <summary>
/// Writes <c>checkpoints/last.ckpt</c> after every epoch and when the run is interrupted (with the position inside the
/// epoch), and <c>checkpoints/best.ckpt</c> after an epoch whose score improved (<see cref="Trainer.ImprovedThisEpoch"/>).
/// The trainer adds one first in its pipeline when it has a run directory and is the primary process.
/// </summary>
public sealed class CheckpointCallback : ITrainingCallback
{
    /// <summary>Writes <paramref name="lastPath"/> and <paramref name="bestPath"/>.</summary>
    public CheckpointCallback(string lastPath, string bestPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(lastPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(bestPath);
        LastPath = lastPath;
        BestPath = bestPath;
    }

    /// <summary>The <c>last</c> checkpoint.</summary>
    public string LastPath { get; }

    /// <summary>The <c>best</c> checkpoint.</summary>
    public string BestPath { get; }

    /// <inheritdoc />
    public void OnTrainingStart(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(LastPath))!);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(BestPath))!);
    }

    /// <inheritdoc />
    public void OnEpochCompleted(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        trainer.SaveCheckpoint(LastPath);
        if (trainer.ImprovedThisEpoch) trainer.SaveCheckpoint(BestPath);
    }

    /// <inheritdoc />
    public void OnTrainingEnd(Trainer trainer, TrainingStatus? status)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        if (status == TrainingStatus.Interrupted) trainer.SaveCheckpoint(LastPath);
    }
}
