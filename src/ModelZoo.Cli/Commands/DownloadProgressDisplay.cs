using System.Diagnostics;
using System.Globalization;
using ModelZoo.Hub;
using Spectre.Console;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// Progress of a weights download: a live bar (bytes, speed, time left) on a terminal; otherwise plain lines on stderr
/// (so stdout keeps only the result): one when the transfer starts or resumes, one every few seconds, one at the end.
/// Nothing is shown for a file already in the cache.
/// </summary>
internal sealed class DownloadProgressDisplay : IProgress<DownloadProgress>
{
    private readonly TextWriter? _plain;
    private readonly ProgressContext? _live;
    private readonly string _label;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _since = new();
    private readonly Stopwatch _clock = new();
    private readonly object _gate = new();
    private ProgressTask? _task;
    private long _startBytes;

    private DownloadProgressDisplay(string label, TextWriter? plain, ProgressContext? live, TimeSpan interval)
    {
        _label = label;
        _plain = plain;
        _live = live;
        _interval = interval;
    }

    /// <summary>Runs <paramref name="fetch"/> with the display that suits <paramref name="env"/>; returns its result.</summary>
    public static string Run(CliEnvironment env, string label, Func<IProgress<DownloadProgress>, string> fetch, TimeSpan? interval = null)
    {
        if (!env.Interactive) return fetch(new DownloadProgressDisplay(label, env.Error, null, interval ?? TimeSpan.FromSeconds(5)));
        string result = "";
        env.Console.Progress().AutoClear(true).HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(),
                new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(ctx => result = fetch(new DownloadProgressDisplay(label, null, ctx, TimeSpan.Zero)));
        return result;
    }

    /// <inheritdoc />
    public void Report(DownloadProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            if (_live is not null) Live(value);
            else Plain(value);
        }
    }

    private void Live(DownloadProgress p)
    {
        if (p.Stage == DownloadStage.WaitingForOtherProcess)
        {
            _task ??= _live!.AddTask(Markup.Escape($"{_label}: waiting for another process"), autoStart: true);
            _task.IsIndeterminate = true;
            return;
        }
        if (p.Stage is DownloadStage.Started or DownloadStage.Resumed)
        {
            _task ??= _live!.AddTask("", autoStart: true);
            _task.Description = Markup.Escape(p.Stage == DownloadStage.Resumed ? $"{_label} (resumed)" : _label);
        }
        if (_task is null) return;
        _task.IsIndeterminate = p.TotalBytes is null;
        if (p.TotalBytes is long total) _task.MaxValue = Math.Max(1, total);
        _task.Value = p.BytesReceived;
        if (p.Stage == DownloadStage.Completed) _task.StopTask();
    }

    private void Plain(DownloadProgress p)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (p.Stage)
        {
            case DownloadStage.WaitingForOtherProcess:
                _plain!.WriteLine($"{_label}: another process is downloading it; waiting (lock {p.Source})");
                break;
            case DownloadStage.Started or DownloadStage.Resumed:
                _clock.Restart();
                _since.Restart();
                _startBytes = p.BytesReceived;
                _plain!.WriteLine(p.Stage == DownloadStage.Resumed
                    ? $"downloading {_label} from {p.Source}: resuming at {Megabytes(p.BytesReceived)}{Of(p.TotalBytes)}"
                    : $"downloading {_label} from {p.Source}{(p.TotalBytes is long t ? $" ({Megabytes(t)})" : "")}");
                break;
            case DownloadStage.Downloading when _since.Elapsed >= _interval:
                _since.Restart();
                double seconds = Math.Max(1e-3, _clock.Elapsed.TotalSeconds);
                string rate = ((p.BytesReceived - _startBytes) / 1e6 / seconds).ToString("0.0", inv);
                string percent = p.TotalBytes is long total && total > 0 ? $" ({100.0 * p.BytesReceived / total:0} %)" : "";
                _plain!.WriteLine($"  {Megabytes(p.BytesReceived)}{Of(p.TotalBytes)}{percent}, {rate} MB/s");
                break;
            case DownloadStage.Completed:
                _plain!.WriteLine(string.Create(inv, $"downloaded {_label}: {Megabytes(p.BytesReceived)} in {_clock.Elapsed.TotalSeconds:0.0} s, SHA-256 verified"));
                break;
        }
        _plain!.Flush();
    }

    private static string Megabytes(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    private static string Of(long? total) => total is long t ? " of " + Megabytes(t) : "";
}
