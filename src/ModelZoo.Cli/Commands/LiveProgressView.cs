using System.Diagnostics;
using ModelZoo.Training;
using Spectre.Console;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// Live progress on a terminal: one bar for the current epoch (loss, accuracy, images/s, epoch and run ETA), refreshed
/// by time (every <c>interval</c>, default 2 s) rather than by batch count. A finished epoch's bar is replaced by its
/// summary line, and the display clears itself at the end or on Ctrl+C, so no 100 % bars or duplicated lines remain.
/// </summary>
public sealed class LiveProgressView : ITrainingCallback
{
    private readonly IAnsiConsole _console;
    private readonly TimeSpan _interval;
    private readonly ProgressFormat _format = new();
    private readonly Stopwatch _since = new();
    private ProgressContext? _context;
    private ProgressTask? _task;
    private string _key = "";

    /// <summary>Renders on <paramref name="console"/>, refreshing at most every <paramref name="interval"/> (default 2 s).</summary>
    public LiveProgressView(IAnsiConsole console, TimeSpan? interval = null)
    {
        _console = console;
        _interval = interval ?? TimeSpan.FromSeconds(2);
    }

    /// <summary>How many times the display was updated (tests: refreshes follow time, not batches).</summary>
    internal int Refreshes { get; private set; }

    /// <summary>Runs <paramref name="work"/> with the live display on.</summary>
    public T Run<T>(Func<T> work) => _console.Progress()
        .AutoClear(true)
        .HideCompleted(true)
        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 8 }, new PercentageColumn())
        .Start(ctx =>
        {
            _context = ctx;
            return work();
        });

    /// <inheritdoc />
    public void OnProgress(Trainer trainer, TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // Bar 8 + percentage 4 + gaps: the description gets the rest of the line, so nothing wraps.
        string line = _format.Compact(value, _console.Profile.Width - 16);
        if (_context is null) return;
        string key = $"{value.Phase}:{value.Epoch}";
        bool fresh = _task is null || key != _key;
        if (fresh)
        {
            _task?.StopTask();
            _key = key;
            _task = _context.AddTask(Markup.Escape(line), maxValue: Math.Max(1, value.Batches));
        }
        else if (_since.IsRunning && _since.Elapsed < _interval && value.Batch < value.Batches)
        {
            return;
        }
        _since.Restart();
        Refreshes++;
        _task!.Value = value.Batch;
        _task.Description = Markup.Escape(line);
    }

    /// <inheritdoc />
    public void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _format.EpochEnded(metrics);
        _task?.StopTask(); // hidden once completed: the summary line below takes its place
        _task = null;
        _console.MarkupLine(Markup.Escape(ProgressFormat.Line(metrics)));
    }
}
