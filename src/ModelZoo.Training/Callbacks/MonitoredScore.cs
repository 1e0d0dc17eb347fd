namespace ModelZoo.Training;

/// <summary>
/// The score a checkpoint or early-stopping callback watches (Lightning's <c>monitor</c> and <c>mode</c>): a metric of
/// <see cref="Trainer.CallbackMetrics"/> (<c>val_acc</c>, <c>val_loss</c>, <c>train_loss</c>, ...), higher or lower
/// better. The default watches <c>val_acc</c> (higher) and falls back to <c>train_loss</c> (lower) in a run without
/// validation, as the trainer always has.
/// </summary>
/// <param name="Metric">The metric's name; null: <c>val_acc</c>, else <c>train_loss</c>.</param>
/// <param name="HigherIsBetter">Whether a larger value is better (true for accuracies, false for losses); ignored for the default.</param>
public sealed record MonitoredScore(string? Metric = null, bool HigherIsBetter = true)
{
    /// <summary>The score of the epoch just ended (larger is better), or null when the metric was not measured.</summary>
    public double? Of(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (Metric is null)
            return metrics.TryGetValue("val_acc", out double acc) ? acc : metrics.TryGetValue("train_loss", out double loss) ? -loss : null;
        return metrics.TryGetValue(Metric, out double value) ? (HigherIsBetter ? value : -value) : null;
    }
}
