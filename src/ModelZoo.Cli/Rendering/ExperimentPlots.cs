using System.Globalization;
using ModelZoo.Training.Experiments;
using SkiaSharp;

namespace ModelZoo.Cli.Rendering;

/// <summary>The figures of <c>modelzoo experiment</c> and <c>modelzoo lr-find</c> (ScottPlot, composed with SkiaSharp).</summary>
public static class ExperimentPlots
{
    /// <summary>Training loss per step of every variant on one plot (raw, faint, and a moving average, bold).</summary>
    public static void StepLosses(string path, string title, IReadOnlyList<VariantResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("training loss");
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            if (r.StepLosses.Count == 0) continue;
            double[] xs = Enumerable.Range(1, r.StepLosses.Count).Select(s => (double)s).ToArray();
            var color = palette.GetColor(i);
            var raw = plot.Add.Scatter(xs, r.StepLosses.ToArray());
            raw.MarkerSize = 0;
            raw.LineWidth = 1;
            raw.Color = color.WithAlpha(0.25);
            var smooth = plot.Add.Scatter(xs, MovingAverage(r.StepLosses, Math.Max(1, r.StepLosses.Count / 25)));
            smooth.MarkerSize = 0;
            smooth.LineWidth = 2;
            smooth.Color = color;
            smooth.LegendText = r.Variant.Label;
        }
        // The y axis stops at 1.5 x the highest first-step loss, so that an early spike of one optimiser (AdaGrad's
        // first steps) does not flatten every other curve; steps.csv has the full values.
        var started = results.Where(r => r.StepLosses.Count > 0).ToList();
        if (started.Count > 0)
        {
            double top = 1.5 * started.Max(r => r.StepLosses[0]);
            if (double.IsFinite(top) && top > 0) plot.Axes.SetLimitsY(0, top);
        }
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        Save(plot, path, 900, 600);
    }

    /// <summary>Test accuracy per epoch of every variant (a bar per variant for a one-epoch run).</summary>
    public static void TestAccuracy(string path, string title, IReadOnlyList<VariantResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.YLabel("test accuracy");
        var palette = new ScottPlot.Palettes.Category10();
        int epochs = results.Max(r => r.Epochs.Count);
        if (epochs <= 1)
        {
            var bars = new List<ScottPlot.Bar>();
            for (int i = 0; i < results.Count; i++)
            {
                double acc = results[i].TestAccuracy ?? 0;
                bars.Add(new ScottPlot.Bar
                {
                    Position = i, Value = acc, FillColor = palette.GetColor(i),
                    Label = (acc * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %",
                });
            }
            var barPlot = plot.Add.Bars(bars);
            barPlot.ValueLabelStyle.FontSize = 14;
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, results.Count).Select(i => (double)i).ToArray(), results.Select(r => r.Variant.Label).ToArray());
            var (low, high) = AccuracyAxis(results.Select(r => r.TestAccuracy ?? 0), bars: true);
            plot.Axes.SetLimitsY(low, high);
            plot.XLabel(AccuracyCaption(bars: true, low));
        }
        else
        {
            var (low, high) = AccuracyAxis(results.SelectMany(r => r.Epochs).Select(m => m.ValidationAccuracy).OfType<double>(), bars: false);
            plot.Axes.SetLimitsY(low, high);
            plot.XLabel(AccuracyCaption(bars: false, low));
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            for (int i = 0; i < results.Count; i++)
            {
                var e = results[i].Epochs.Where(m => m.ValidationAccuracy is not null).ToList();
                var line = plot.Add.Scatter(e.Select(m => (double)m.Epoch).ToArray(), e.Select(m => m.ValidationAccuracy!.Value).ToArray());
                line.Color = palette.GetColor(i);
                line.LegendText = results[i].Variant.Label;
            }
            plot.ShowLegend(ScottPlot.Edge.Bottom);
        }
        Save(plot, path, 900, 600);
    }

    /// <summary>
    /// The accuracy axis (fractions): bars start at 0, so their lengths compare honestly; lines start at the round tenth
    /// at least 0.02 below the lowest value (0.76 gives 0.7); both end at 1 (bars at 1.05, room for their labels).
    /// </summary>
    public static (double Low, double High) AccuracyAxis(IEnumerable<double> accuracies, bool bars)
    {
        ArgumentNullException.ThrowIfNull(accuracies);
        if (bars) return (0, 1.05);
        var values = accuracies.Where(double.IsFinite).ToList();
        double min = values.Count == 0 ? 0 : Math.Clamp(values.Min(), 0, 1);
        double low = Math.Floor(min * 10) / 10;
        if (min - low < 0.02) low -= 0.1;
        return (Math.Max(0, Math.Round(low, 1)), 1);
    }

    /// <summary>The figure's caption (under the plot): what is plotted and where the axis starts.</summary>
    public static string AccuracyCaption(bool bars, double low) => bars
        ? "bars: test accuracy after the last epoch (axis from 0 %)"
        : string.Create(CultureInfo.InvariantCulture, $"epoch. Lines: test accuracy after each epoch (axis from {low * 100:0} % to 100 %)");

    /// <summary>
    /// Activation histograms as a grid: one row per initialisation, one column per layer (the seed's figure), each
    /// panel titled with the layer and the activations' standard deviation.
    /// </summary>
    public static void Activations(string path, string title, IReadOnlyList<IReadOnlyList<ActivationHistogram>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        const int cellW = 260, cellH = 200, titleH = 40, labelW = 120;
        int columns = rows.Max(r => r.Count);
        int width = labelW + columns * cellW, height = titleH + rows.Count * cellH;
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 18);
        using var small = new SKFont(SKTypeface.Default, 14);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(title, 10, 26, font, ink);
        var palette = new ScottPlot.Palettes.Category10();
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r].Count == 0) continue;
            canvas.DrawText(InitLabel(rows[r][0].Init), 8, titleH + r * cellH + cellH / 2f, small, ink);
            for (int c = 0; c < rows[r].Count; c++)
            {
                var h = rows[r][c];
                var plot = new ScottPlot.Plot();
                double width1 = (h.High - h.Low) / h.Counts.Count;
                var bars = h.Counts.Select((count, i) => new ScottPlot.Bar
                {
                    Position = h.Low + (i + 0.5) * width1, Value = count, Size = width1 * 0.95, FillColor = palette.GetColor(r), LineWidth = 0,
                }).ToList();
                plot.Add.Bars(bars);
                plot.Title(string.Create(CultureInfo.InvariantCulture, $"{h.LayerName} std {h.Std:G2}"), size: 12);
                plot.Axes.SetLimitsX(h.Low, h.High);
                plot.Axes.Left.TickLabelStyle.FontSize = 9;
                plot.Axes.Bottom.TickLabelStyle.FontSize = 9;
                byte[] png = plot.GetImageBytes(cellW, cellH, ScottPlot.ImageFormat.Png);
                using var image = SKImage.FromEncodedData(png);
                canvas.DrawImage(image, labelW + c * cellW, titleH + r * cellH);
            }
        }
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        string temp = path + ".tmp";
        using (var stream = File.Create(temp)) data.SaveTo(stream);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The learning-rate sweep: raw and smoothed loss against the rate (log axis), the suggestion marked.</summary>
    public static void LearningRateSweep(string path, string title, LearningRateFinderResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        plot.XLabel("learning rate (log10)");
        plot.YLabel("training loss");
        double[] xs = result.Points.Select(p => Math.Log10(p.LearningRate)).ToArray();
        if (xs.Length > 0)
        {
            var raw = plot.Add.Scatter(xs, result.Points.Select(p => p.Loss).ToArray());
            raw.MarkerSize = 0;
            raw.Color = ScottPlot.Colors.Gray.WithAlpha(0.5);
            raw.LegendText = "loss";
            var smooth = plot.Add.Scatter(xs, result.Points.Select(p => p.SmoothedLoss).ToArray());
            smooth.MarkerSize = 0;
            smooth.LineWidth = 2;
            smooth.LegendText = "running average (divergence test)";
            var centred = plot.Add.Scatter(xs, LearningRateFinder.Centred(result.Points.Select(p => p.Loss).ToArray(), Math.Max(1, xs.Length / 20)));
            centred.MarkerSize = 0;
            centred.LineWidth = 2;
            centred.LegendText = "centred average (suggestion)";
        }
        if (result.SuggestedLearningRate is double lr)
        {
            var line = plot.Add.VerticalLine(Math.Log10(lr));
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"suggested {lr:G3}");
            line.Color = ScottPlot.Colors.Red;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        Save(plot, path, 900, 600);
    }

    /// <summary>A readable name for an init scheme.</summary>
    public static string InitLabel(ModelZoo.InitScheme init) => init switch
    {
        ModelZoo.InitScheme.Normal => "std 0.01",
        ModelZoo.InitScheme.Xavier => "Xavier",
        ModelZoo.InitScheme.He => "He",
        _ => "default",
    };

    internal static double[] MovingAverage(IReadOnlyList<double> values, int window)
    {
        var result = new double[values.Count];
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }

    private static void Save(ScottPlot.Plot plot, string path, int width, int height)
    {
        string temp = path + ".tmp.png";
        plot.SavePng(temp, width, height);
        File.Move(temp, path, overwrite: true);
    }
}
