using System.Diagnostics;
using System.Globalization;
using ModelZoo.Training;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// Progress and epoch lines for people: learning rates as <c>6.2e-05</c>, "1 epoch" not "1 epochs", durations as
/// <c>1:02:03</c>, and a run-wide ETA beside the epoch's (from the epochs measured so far).
/// </summary>
public sealed class ProgressFormat
{
    private readonly Stopwatch _epochClock = Stopwatch.StartNew();
    private readonly List<double> _epochSeconds = [];
    private string _epochKey = "";
    private double _trainEstimate;

    /// <summary>A learning rate: <c>0.1</c>, <c>0.001</c>, <c>6.2e-05</c>.</summary>
    public static string LearningRate(double lr) =>
        lr == 0 ? "0" : Math.Abs(lr) < 1e-3 ? lr.ToString("0.##e-00", CultureInfo.InvariantCulture) : lr.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>"1 epoch", "3 epochs".</summary>
    public static string Count(long n, string noun) => string.Create(CultureInfo.InvariantCulture, $"{n} {noun}{(n == 1 ? "" : "s")}");

    /// <summary><c>0:42</c>, <c>12:05</c>, <c>1:02:03</c>.</summary>
    public static string Duration(TimeSpan t)
    {
        if (t < TimeSpan.Zero) t = TimeSpan.Zero;
        return t.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:00}");
    }

    /// <summary>The run's remaining time: this epoch's ETA plus the remaining epochs at the measured (or current) epoch length.</summary>
    public TimeSpan RunEta(TrainingProgress p)
    {
        ArgumentNullException.ThrowIfNull(p);
        string key = p.Epoch.ToString(CultureInfo.InvariantCulture);
        if (key != _epochKey)
        {
            _epochKey = key;
            _epochClock.Restart();
        }
        if (p.Phase == "train") _trainEstimate = _epochClock.Elapsed.TotalSeconds + p.Eta.TotalSeconds;
        double perEpoch = _epochSeconds.Count > 0 ? _epochSeconds.Average() : _trainEstimate;
        int remaining = Math.Max(0, p.Epochs - p.Epoch);
        return p.Eta + TimeSpan.FromSeconds(perEpoch * remaining);
    }

    /// <summary>Records a finished epoch's length for the run ETA.</summary>
    public void EpochEnded(EpochMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        _epochSeconds.Add(m.Seconds);
    }

    /// <summary>One progress line (no padding, so nothing is right-aligned).</summary>
    public string Line(TrainingProgress p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return string.Create(CultureInfo.InvariantCulture,
            $"{p.Phase} epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches} loss {p.Loss:F4} acc {p.Accuracy:P2} {p.ImagesPerSecond:F0} img/s ETA {Duration(p.Eta)} (run {Duration(RunEta(p))})");
    }

    /// <summary>A compact progress line for the live view, at most <paramref name="width"/> characters (cut with "…").</summary>
    public string Compact(TrainingProgress p, int width)
    {
        ArgumentNullException.ThrowIfNull(p);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{p.Phase} {p.Epoch}/{p.Epochs} {p.Batch}/{p.Batches} loss {p.Loss:F3} acc {p.Accuracy * 100:F1}% {p.ImagesPerSecond:F0}/s ETA {Duration(p.Eta)} run {Duration(RunEta(p))}");
        width = Math.Max(8, width);
        return line.Length <= width ? line : line[..(width - 1)] + "…";
    }

    /// <summary>One epoch summary line.</summary>
    public static string Line(EpochMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return FormattableString.Invariant($"epoch {m.Epoch}: train loss {m.TrainLoss:F4} acc {m.TrainAccuracy:P2}") +
            (m.ValidationAccuracy is double va ? FormattableString.Invariant($", val loss {m.ValidationLoss:F4} acc {va:P2} top5 {m.ValidationTop5:P2}") : "") +
            FormattableString.Invariant($", lr {LearningRate(m.LearningRate)}, {m.Seconds:F1} s, {m.ImagesPerSecond:F0} img/s, RSS {m.ResidentBytes / 1048576.0:F0} MB");
    }
}
