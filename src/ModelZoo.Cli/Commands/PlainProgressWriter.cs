using System.Diagnostics;
using ModelZoo.Training;

namespace ModelZoo.Cli.Commands;

/// <summary>Progress for logs (stdout redirected, CI): a line at most every <c>interval</c>, and one per epoch. Lines are
/// written whole, never wrapped at the console width.</summary>
public sealed class PlainProgressWriter : ITrainingCallback
{
    private readonly TextWriter _out;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _since = Stopwatch.StartNew();
    private readonly ProgressFormat _format = new();

    /// <summary>Writes to <paramref name="output"/> at most every <paramref name="interval"/> (default 10 s).</summary>
    public PlainProgressWriter(TextWriter output, TimeSpan? interval = null)
    {
        _out = output;
        _interval = interval ?? TimeSpan.FromSeconds(10);
    }

    /// <inheritdoc />
    public void OnProgress(Trainer trainer, TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string line = _format.Line(value); // keeps the run ETA's epoch clock current
        if (_since.Elapsed < _interval) return;
        _since.Restart();
        _out.WriteLine(line);
        _out.Flush();
    }

    /// <summary>One progress line (without the run ETA).</summary>
    public static string Format(TrainingProgress p) => new ProgressFormat().Line(p);

    /// <summary>One epoch summary line.</summary>
    public static string Format(EpochMetrics m) => ProgressFormat.Line(m);

    /// <inheritdoc />
    public void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _format.EpochEnded(metrics);
        _out.WriteLine(Format(metrics));
        _out.Flush();
    }
}
