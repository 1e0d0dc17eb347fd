using System.Text.Json;
using ModelZoo.Training;

namespace ModelZoo.Cli.Rendering;

/// <summary>
/// Redraws a PNG of the training curves (loss and accuracy, train and validation, per epoch) after every epoch,
/// from the whole <c>metrics.jsonl</c> so resumed runs show their full history. Lives in the CLI so that the
/// libraries carry no plotting dependency; add it to <see cref="Trainer.Callbacks"/> of a trainer with a run directory.
/// </summary>
public sealed class TrainingCurvePlot : ITrainingCallback
{
    /// <summary>Draws to <paramref name="pngPath"/> from <paramref name="metricsPath"/> (written by <see cref="MetricsJsonlWriter"/>),
    /// titled <paramref name="title"/> (say, the model and the data).</summary>
    public TrainingCurvePlot(string pngPath, string metricsPath, string? title = null)
    {
        Title = title;
        ArgumentException.ThrowIfNullOrWhiteSpace(pngPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(metricsPath);
        PngPath = pngPath;
        MetricsPath = metricsPath;
    }

    /// <summary>The figure's title, or null for "Training curves".</summary>
    public string? Title { get; }

    /// <summary>The PNG.</summary>
    public string PngPath { get; }

    /// <summary>The metrics file read.</summary>
    public string MetricsPath { get; }

    /// <inheritdoc />
    public void OnTrainingStart(Trainer trainer)
    {
        // Render a tiny blank figure now: a missing plotting native library then fails before the first epoch, not
        // after it, and the renderer's one-time memory is in place before epoch 1's resident-memory reading.
        var warmUp = new ScottPlot.Plot();
        _ = warmUp.GetImageBytes(16, 16, ScottPlot.ImageFormat.Png);
    }

    /// <inheritdoc />
    public void OnEpochEnd(Trainer trainer, EpochMetrics metrics) => Draw(MetricsPath, PngPath, Title);

    /// <inheritdoc />
    public void OnTrainingEnd(Trainer trainer, TrainingStatus? status) { }

    /// <summary>Reads <paramref name="metricsPath"/> and writes the PNG (loss on the left axis, accuracy on the right) to <paramref name="pngPath"/> (800x600).</summary>
    public static void Draw(string metricsPath, string pngPath, string? title = null)
    {
        if (Build(metricsPath, title) is not { } plot) return;
        string temp = pngPath + ".tmp.png";
        plot.SavePng(temp, 800, 600);
        File.Move(temp, pngPath, overwrite: true);
    }

    /// <summary>The figure: titled, whole-number epoch ticks, the legend below the data (outside it).</summary>
    internal static ScottPlot.Plot? Build(string metricsPath, string? title)
    {
        var epochs = new List<double>();
        var trainLoss = new List<double>();
        var trainAcc = new List<double>();
        var valEpochs = new List<double>();
        var valLoss = new List<double>();
        var valAcc = new List<double>();
        if (!File.Exists(metricsPath)) return null;
        foreach (string line in File.ReadLines(metricsPath))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            double e = r.GetProperty("epoch").GetDouble();
            epochs.Add(e);
            trainLoss.Add(r.GetProperty("train_loss").GetDouble());
            trainAcc.Add(r.GetProperty("train_acc").GetDouble());
            if (r.TryGetProperty("val_acc", out var va) && va.ValueKind == JsonValueKind.Number)
            {
                valEpochs.Add(e);
                valAcc.Add(va.GetDouble());
                valLoss.Add(r.GetProperty("val_loss").GetDouble());
            }
        }
        if (epochs.Count == 0) return null;

        var plot = new ScottPlot.Plot();
        plot.Title(title is null ? "Training curves" : $"Training curves: {title}");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.Axes.Right.Label.Text = "accuracy";
        var lt = plot.Add.Scatter(epochs.ToArray(), trainLoss.ToArray());
        lt.LegendText = "train loss";
        var at = plot.Add.Scatter(epochs.ToArray(), trainAcc.ToArray());
        at.LegendText = "train accuracy";
        at.Axes.YAxis = plot.Axes.Right;
        if (valEpochs.Count > 0)
        {
            var lv = plot.Add.Scatter(valEpochs.ToArray(), valLoss.ToArray());
            lv.LegendText = "val loss";
            var av = plot.Add.Scatter(valEpochs.ToArray(), valAcc.ToArray());
            av.LegendText = "val accuracy";
            av.Axes.YAxis = plot.Axes.Right;
        }
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        return plot;
    }
}
