using ModelZoo.Training;
using Spectre.Console;

namespace ModelZoo.Cli.Commands;

/// <summary>Live progress on a terminal: a Spectre progress bar per epoch with loss, accuracy, images/s and ETA.</summary>
public sealed class LiveProgressView : ITrainingCallback
{
    private readonly IAnsiConsole _console;
    private ProgressContext? _context;
    private ProgressTask? _task;
    private string _key = "";

    /// <summary>Renders on <paramref name="console"/>.</summary>
    public LiveProgressView(IAnsiConsole console) => _console = console;

    /// <summary>Runs <paramref name="work"/> with the live display on.</summary>
    public T Run<T>(Func<T> work) => _console.Progress()
        .AutoClear(false)
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
        .Start(ctx =>
        {
            _context = ctx;
            return work();
        });

    /// <inheritdoc />
    public void OnProgress(Trainer trainer, TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_context is null) return;
        string key = $"{value.Phase}:{value.Epoch}";
        if (_task is null || key != _key)
        {
            _task?.StopTask();
            _key = key;
            _task = _context.AddTask($"{value.Phase} {value.Epoch}/{value.Epochs}", maxValue: Math.Max(1, value.Batches));
        }
        _task.Value = value.Batch;
        _task.Description = Markup.Escape(PlainProgressWriter.Format(value));
    }

    /// <inheritdoc />
    public void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
    {
        if (_task is not null)
        {
            _task.Value = _task.MaxValue;
            _task.Description = Markup.Escape(PlainProgressWriter.Format(metrics));
            _task.StopTask();
        }
        _task = null;
    }
}
