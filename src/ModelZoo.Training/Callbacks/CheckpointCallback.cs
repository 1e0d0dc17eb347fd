using System.Text.Json.Nodes;

namespace ModelZoo.Training;

/// <summary>
/// Lightning's <c>ModelCheckpoint(monitor=...)</c>: watches a score (<see cref="Monitor"/>, by default validation top-1
/// or minus the training loss without validation), keeps the best so far (<see cref="BestEpoch"/>,
/// <see cref="BestValidationAccuracy"/>), and with paths writes <c>last</c> after every epoch and on interruption and
/// <c>best</c> after an epoch that improved the score. Its state goes into every checkpoint, so a resumed run knows
/// its best epoch. Every trainer has one (<see cref="Trainer.Checkpointing"/>; without a run folder it writes
/// nothing); it runs after every other callback's <see cref="ITrainingCallback.OnEpochCompleted"/>, so their state is
/// saved with the epoch, and before their <see cref="ITrainingCallback.OnTrainingEnd"/>.
/// </summary>
public sealed class CheckpointCallback : IStatefulCallback
{
    /// <summary>Writes <paramref name="lastPath"/> and <paramref name="bestPath"/> (null: nothing is written) for <paramref name="monitor"/>.</summary>
    public CheckpointCallback(string? lastPath, string? bestPath, MonitoredScore? monitor = null)
    {
        LastPath = lastPath;
        BestPath = bestPath;
        Monitor = monitor ?? new MonitoredScore();
    }

    /// <summary>The <c>last</c> checkpoint, or null.</summary>
    public string? LastPath { get; }

    /// <summary>The <c>best</c> checkpoint, or null.</summary>
    public string? BestPath { get; }

    /// <summary>The score watched.</summary>
    public MonitoredScore Monitor { get; }

    /// <summary>The best score so far (larger is better), or null before the first epoch.</summary>
    public double? BestScore { get; private set; }

    /// <summary>The epoch of the best score, or null.</summary>
    public int? BestEpoch { get; private set; }

    /// <summary>The validation top-1 accuracy of the best epoch, or null without validation.</summary>
    public double? BestValidationAccuracy { get; private set; }

    /// <summary>True when the epoch that just ended improved the score.</summary>
    public bool ImprovedThisEpoch { get; private set; }

    /// <inheritdoc />
    public string StateKey => "checkpoint";

    /// <inheritdoc />
    public void OnTrainingStart(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        if (!trainer.ProcessGroup.IsPrimary) return;
        foreach (string? path in new[] { LastPath, BestPath })
            if (path is not null) Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <inheritdoc />
    public void OnEpochCompleted(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var metrics = trainer.CallbackMetrics;
        double? score = Monitor.Of(metrics);
        ImprovedThisEpoch = score is double s && (BestScore is not double best || s > best);
        if (ImprovedThisEpoch)
        {
            BestScore = score;
            BestEpoch = trainer.EpochsCompleted;
            BestValidationAccuracy = metrics.TryGetValue("val_acc", out double acc) ? acc : null;
        }
        // Only the primary process writes; every process keeps the same score.
        if (!trainer.ProcessGroup.IsPrimary) return;
        if (LastPath is not null) trainer.SaveCheckpoint(LastPath);
        if (ImprovedThisEpoch && BestPath is not null) trainer.SaveCheckpoint(BestPath);
    }

    /// <inheritdoc />
    public void OnTrainingEnd(Trainer trainer, TrainingStatus? status)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        if (status == TrainingStatus.Interrupted && LastPath is not null && trainer.ProcessGroup.IsPrimary) trainer.SaveCheckpoint(LastPath);
    }

    /// <inheritdoc />
    public JsonObject SaveState() => new()
    {
        ["bestScore"] = BestScore,
        ["bestEpoch"] = BestEpoch,
        ["bestValidationAccuracy"] = BestValidationAccuracy,
    };

    /// <inheritdoc />
    public void LoadState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        BestScore = state["bestScore"]?.GetValue<double>();
        BestEpoch = state["bestEpoch"]?.GetValue<int>();
        BestValidationAccuracy = state["bestValidationAccuracy"]?.GetValue<double>();
    }
}
