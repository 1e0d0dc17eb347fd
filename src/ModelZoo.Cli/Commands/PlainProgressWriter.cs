using System.Diagnostics;
using System.Globalization;
using ModelZoo.Training;

namespace ModelZoo.Cli.Commands;

/// <summary>Progress for logs (stdout redirected, CI): a line at most every <c>interval</c>, and one per epoch.</summary>
public sealed class PlainProgressWriter : ITrainingCallback
{
    private readonly TextWriter _out;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _since = Stopwatch.StartNew();

    /// <summary>Writes to <paramref name="output"/>.</summary>
    public PlainProgressWriter(TextWriter output, TimeSpan? interval = null)
    {
        _out = output;
        _interval = interval ?? TimeSpan.FromSeconds(10);
    }

    /// <inheritdoc />
    public void OnProgress(Trainer trainer, TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_since.Elapsed < _interval) return;
        _since.Restart();
        _out.WriteLine(Format(value));
        _out.Flush();
    }

    /// <summary>One progress line.</summary>
    public static string Format(TrainingProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"{p.Phase} epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches} loss {p.Loss:F4} acc {p.Accuracy:P2} {p.ImagesPerSecond:F0} img/s ETA {p.Eta:hh\\:mm\\:ss}");

    /// <summary>One epoch summary line.</summary>
    public static string Format(EpochMetrics m) =>
        FormattableString.Invariant($"epoch {m.Epoch}: train loss {m.TrainLoss:F4} acc {m.TrainAccuracy:P2}") +
        (m.ValidationAccuracy is double va ? FormattableString.Invariant($", val loss {m.ValidationLoss:F4} acc {va:P2} top5 {m.ValidationTop5:P2}") : "") +
        FormattableString.Invariant($", lr {m.LearningRate:G3}, {m.Seconds:F1} s, {m.ImagesPerSecond:F0} img/s, RSS {m.ResidentBytes / 1048576.0:F0} MB");

    /// <inheritdoc />
    public void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        _out.WriteLine(Format(metrics));
        _out.Flush();
    }
}
