using ModelZoo.Cli.Rendering;

namespace ModelZoo.Tests.Cli;

/// <summary>The figures: curves titled with model and data, whole-number epoch ticks, legend outside the data; grid captions inside their cells.</summary>
public class FigureTests
{
    [Test]
    public void CurvesAreTitledWithWholeEpochTicksAndTheLegendOutsideTheData()
    {
        string dir = ModelZoo.Tests.Training.TinyNets.TempDir();
        string metrics = Path.Combine(dir, "metrics.jsonl");
        File.WriteAllLines(metrics, Enumerable.Range(1, 3).Select(e =>
            $"{{\"epoch\":{e},\"train_loss\":{1.0 / e},\"train_acc\":{0.3 * e},\"val_loss\":{0.9 / e},\"val_acc\":{0.31 * e}}}"));
        var plot = TrainingCurvePlot.Build(metrics, "deepcnn on mnist-sample");
        Assert.That(plot, Is.Not.Null);
        Assert.That(plot!.Axes.Title.Label.Text, Does.Contain("deepcnn").And.Contain("mnist-sample"));
        _ = plot.GetImageBytes(800, 600, ScottPlot.ImageFormat.Png);
        var ticks = plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Position).ToList();
        Assert.That(ticks, Is.Not.Empty);
        Assert.That(ticks, Has.All.Matches<double>(p => Math.Abs(p - Math.Round(p)) < 1e-9), "epochs are whole numbers: " + string.Join(", ", ticks));
        Assert.That(plot.Legend.IsVisible, Is.False, "no legend drawn over the curves");
        Assert.That(plot.Axes.GetPanels().OfType<ScottPlot.Panels.LegendPanel>().Any(), Is.True, "the legend sits in a panel outside the data");

        TrainingCurvePlot.Draw(metrics, Path.Combine(dir, "curves.png"), "deepcnn on mnist-sample");
        Assert.That(new FileInfo(Path.Combine(dir, "curves.png")).Length, Is.GreaterThan(1000));
        Directory.Delete(dir, recursive: true);
    }

    [TestCase("true n01440764_tench_Tinca_tinca")]
    [TestCase("pred a-very-long-class-name-indeed 99%")]
    [TestCase("true 7")]
    public void GridCaptionsFitTheirCells(string caption)
    {
        using var font = MisclassifiedGrid.CaptionFont();
        string fitted = MisclassifiedGrid.Fit(caption, font, MisclassifiedGrid.Cell - 8);
        Assert.That(font.MeasureText(fitted), Is.LessThanOrEqualTo(MisclassifiedGrid.Cell - 8));
        if (font.MeasureText(caption) <= MisclassifiedGrid.Cell - 8) Assert.That(fitted, Is.EqualTo(caption), "short captions are left alone");
        else Assert.That(fitted, Does.EndWith("…").And.StartWith(caption[..3]));
    }
}
