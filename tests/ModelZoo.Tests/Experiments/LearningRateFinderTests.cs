using System.Globalization;
using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Tests.Cli;
using ModelZoo.Training.Experiments;

namespace ModelZoo.Tests.Experiments;

/// <summary>The learning-rate range test: the sweep, the divergence stop, the suggestion, and <c>modelzoo lr-find</c>.</summary>
[RestoresTorchThreads]
public class LearningRateFinderTests
{
    private static List<LearningRatePoint> Curve(Func<double, double> loss, int steps = 60, double start = 1e-6, double end = 1)
    {
        var o = new LearningRateFinderOptions { StartLearningRate = start, EndLearningRate = end, Steps = steps };
        return Enumerable.Range(0, steps).Select(i => new LearningRatePoint(i, o.RateAt(i), loss(o.RateAt(i)), loss(o.RateAt(i)))).ToList();
    }

    [Test]
    public void TheSuggestionIsTheSteepestDescentBeforeTheMinimum()
    {
        // A loss that falls fastest (per decade) at 1e-3 and rises again past 1e-1.
        var points = Curve(lr => 2 - Math.Tanh(Math.Log10(lr) + 3) + (lr > 0.1 ? 50 * (lr - 0.1) : 0));
        double suggested = LearningRateFinder.Suggest(points)!.Value;
        Assert.That(Math.Log10(suggested), Is.EqualTo(-3).Within(0.25));
        Assert.That(LearningRateFinder.Suggest(points.Take(4).ToList()), Is.Null, "too short to tell");
    }

    [Test]
    public void RatesGrowExponentiallyFromStartToEnd()
    {
        var o = new LearningRateFinderOptions { StartLearningRate = 1e-5, EndLearningRate = 1e-1, Steps = 5 };
        Assert.That(Enumerable.Range(0, 5).Select(o.RateAt), Is.EqualTo(new[] { 1e-5, 1e-4, 1e-3, 1e-2, 1e-1 }).Within(1e-12));
        Assert.Throws<ArgumentException>(() => (o with { EndLearningRate = 1e-6 }).EnsureValid());
        Assert.Throws<ArgumentException>(() => (o with { Steps = 2 }).EnsureValid());
    }

    [Test]
    public async Task LrFindOnATinyRunSuggestsARateInsideTheSweepAndWritesAMonotoneCsv()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mz-lrfind-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, stdout, err) = await CliHarness.Run("lr-find", "--model", "deepcnn", "--data", "mnist-sample", "--optimizer", "sgd",
                "--start-lr", "1e-5", "--end-lr", "1", "--steps", "30", "--batch-size", "32", "--threads", "1", "--output", dir, "--json");
            Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
            using var json = JsonDocument.Parse(stdout);
            var root = json.RootElement;
            Assert.That(root.GetProperty("steps_run").GetInt32(), Is.InRange(5, 30));
            double suggested = root.GetProperty("suggested_lr").GetDouble();
            Assert.That(suggested, Is.InRange(1e-5, 1.0));
            var rows = File.ReadLines(Path.Combine(dir, "lr-find.csv")).Skip(1).Select(l => l.Split(',').Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray()).ToList();
            Assert.That(rows, Has.Count.EqualTo(root.GetProperty("steps_run").GetInt32()));
            Assert.That(rows.Select(r => r[1]), Is.Ordered.Ascending.And.Unique, "the CSV is monotone in lr");
            Assert.That(rows[0][1], Is.EqualTo(1e-5).Within(1e-15));
            Assert.That(rows.Select(r => r[1]), Does.Contain(suggested), "the suggestion is one of the swept rates");
            Assert.That(rows.Select(r => r[2]).Distinct().Count(), Is.EqualTo(rows.Count), "every step's loss is a real, different batch loss");
            Assert.That(File.ReadAllBytes(Path.Combine(dir, "lr-find.png")).Length, Is.GreaterThan(5000));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task AHugeRateDivergesAndStopsTheSweepEarly()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mz-lrfind-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, stdout, err) = await CliHarness.Run("lr-find", "--model", "deepcnn", "--data", "mnist-sample", "--optimizer", "sgd",
                "--start-lr", "1", "--end-lr", "1e8", "--steps", "40", "--batch-size", "32", "--threads", "1", "--output", dir, "--json");
            Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
            using var json = JsonDocument.Parse(stdout);
            Assert.That(json.RootElement.GetProperty("diverged").GetBoolean(), Is.True);
            Assert.That(json.RootElement.GetProperty("steps_run").GetInt32(), Is.LessThan(40));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
