using System.Text.Json.Nodes;

namespace ModelZoo.Training;

/// <summary>
/// Lightning's <c>EarlyStopping(monitor=..., patience=...)</c>: stops the run (<see cref="TrainingStatus.EarlyStopped"/>)
/// once the watched score (<see cref="Monitor"/>; validation top-1, or minus the training loss without validation) has
/// not improved for <see cref="Patience"/> epochs. The trainer adds one when <see cref="TrainingOptions.EarlyStopPatience"/>
/// is set; its best score and counter go into every checkpoint, so a resumed run counts on.
/// </summary>
public sealed class EarlyStopping : IStatefulCallback
{
    /// <summary>Stops after <paramref name="patience"/> epochs without improvement of <paramref name="monitor"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="patience"/> is below 1.</exception>
    public EarlyStopping(int patience, MonitoredScore? monitor = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(patience, 1);
        Patience = patience;
        Monitor = monitor ?? new MonitoredScore();
    }

    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; }

    /// <summary>The score watched.</summary>
    public MonitoredScore Monitor { get; }

    /// <summary>Epochs since the score last improved.</summary>
    public int EpochsWithoutImprovement { get; private set; }

    /// <summary>The best score so far (larger is better), or null.</summary>
    public double? BestScore { get; private set; }

    /// <inheritdoc />
    public string StateKey => "earlyStopping";

    /// <inheritdoc />
    public void OnEpochCompleted(Trainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        double? score = Monitor.Of(trainer.CallbackMetrics);
        if (score is double s && (BestScore is not double best || s > best))
        {
            BestScore = s;
            EpochsWithoutImprovement = 0;
        }
        else
        {
            EpochsWithoutImprovement++;
        }
        if (EpochsWithoutImprovement >= Patience) trainer.RequestStop(TrainingStatus.EarlyStopped);
    }

    /// <inheritdoc />
    public JsonObject SaveState() => new() { ["bestScore"] = BestScore, ["epochsWithoutImprovement"] = EpochsWithoutImprovement };

    /// <inheritdoc />
    public void LoadState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        BestScore = state["bestScore"]?.GetValue<double>();
        EpochsWithoutImprovement = state["epochsWithoutImprovement"]?.GetValue<int>() ?? 0;
    }
}
