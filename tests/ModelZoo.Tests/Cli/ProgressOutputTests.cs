using System.Runtime.InteropServices;
using ModelZoo.Cli;
using ModelZoo.Cli.Commands;
using ModelZoo.Data;
using ModelZoo.Tests.Training;
using ModelZoo.Training;
using Spectre.Console;

namespace ModelZoo.Tests.Cli;

/// <summary>Progress and output for people: numbers, time-based refresh, run ETA, unwrapped plain lines, the resume hint.</summary>
[RestoresTorchThreads]
public class ProgressOutputTests
{
    private static TrainingProgress Progress(int epoch, int batch, int batches = 100, string phase = "train") =>
        new(phase, epoch, 3, batch, batches, batch, 0.5, 0.9, 1e-3, 1000, TimeSpan.FromSeconds(30));

    private static EpochMetrics Epoch(int epoch) => new(epoch, 0.5, 0.9, 0.4, 0.95, 0.99, 6.2e-05, 60, 1000, 100 * epoch, 300L << 20);

    [TestCase(6.2e-05, "6.2e-05")]
    [TestCase(0.001, "0.001")]
    [TestCase(0.1, "0.1")]
    [TestCase(0.00025, "2.5e-04")]
    [TestCase(0.0, "0")]
    public void LearningRatesAreWrittenForPeople(double lr, string expected) => Assert.That(ProgressFormat.LearningRate(lr), Is.EqualTo(expected));

    [Test]
    public void CountsAndDurationsAreWrittenForPeople()
    {
        Assert.That(ProgressFormat.Count(1, "epoch"), Is.EqualTo("1 epoch"));
        Assert.That(ProgressFormat.Count(3, "epoch"), Is.EqualTo("3 epochs"));
        Assert.That(ProgressFormat.Duration(TimeSpan.FromSeconds(62)), Is.EqualTo("1:02"));
        Assert.That(ProgressFormat.Duration(TimeSpan.FromSeconds(3723)), Is.EqualTo("1:02:03"));
        Assert.That(PlainProgressWriter.Format(Epoch(1)), Does.Contain("lr 6.2e-05").And.Not.Contain("E-05"));
    }

    [Test]
    public void TheRunEtaAddsTheRemainingEpochsAtTheMeasuredLength()
    {
        var format = new ProgressFormat();
        format.EpochEnded(Epoch(1));
        // Epoch 2 of 3: 30 s left in this epoch, then one more epoch of the measured 60 s.
        Assert.That(format.RunEta(Progress(2, 50)), Is.EqualTo(TimeSpan.FromSeconds(90)));
        Assert.That(format.Line(Progress(2, 50)), Does.Contain("ETA 0:30 (run 1:30)"));
    }

    [Test]
    public void TheLiveLineFitsTheTerminalSoNothingWraps()
    {
        var format = new ProgressFormat();
        string full = format.Compact(Progress(1, 50), 200);
        Assert.That(full, Does.Contain("ETA 0:30 run ").And.Not.EndWith("…"));
        Assert.That(full.Length, Is.LessThanOrEqualTo(80 - 16), "an 80-column terminal shows it whole beside the bar");
        string cut = format.Compact(Progress(1, 50), 30);
        Assert.That(cut, Has.Length.EqualTo(30).And.EndWith("…"));
    }

    [Test]
    public void TheLiveViewRefreshesByTimeNotByBatchCount()
    {
        int Refreshes(TimeSpan interval)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(new StringWriter()), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.Yes,
            });
            var view = new LiveProgressView(console, interval);
            view.Run(() =>
            {
                for (int b = 1; b <= 100; b++) view.OnProgress(null!, Progress(1, b));
                return 0;
            });
            return view.Refreshes;
        }
        Assert.That(Refreshes(TimeSpan.FromHours(1)), Is.EqualTo(2), "the first and the last batch only: 98 batches within the interval");
        Assert.That(Refreshes(TimeSpan.Zero), Is.EqualTo(100), "every report once the interval has passed, not every 10th batch");
    }

    [Test]
    public void PlainOutputWritesOneWholeLinePerEpoch()
    {
        var output = new StringWriter();
        var plain = new PlainProgressWriter(output, TimeSpan.FromHours(1));
        for (int e = 1; e <= 3; e++)
        {
            for (int b = 1; b <= 100; b++) plain.OnProgress(null!, Progress(e, b));
            plain.OnEpochEnd(null!, Epoch(e));
        }
        var lines = output.ToString().TrimEnd().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(3));
        Assert.That(lines, Has.All.Match("^epoch \\d: train loss .* RSS \\d+ MB\r?$"));
    }

    [Test, Category("NeedsZoo")]
    public async Task AnInterruptedRunPrintsTheResumeCommandAndUnwrappedLinesAt80Columns()
    {
        string dir = TinyNets.TempDir();
        var stdout = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 80;
        using var signals = new CliSignals(register: false);
        int code = await CliApp.RunAsync(["train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "3", "--threads", "1", "--no-tensorboard", "-o", dir],
            console, new StringWriter(), signals, new SignalAfterTwoEpochs(signals), interactive: false);
        Assert.That(code, Is.EqualTo(ExitCodes.Terminated));
        string text = stdout.ToString();
        Assert.That(text, Does.Contain($"resume with: {CliInvocation.Current} train --resume {dir}"));
        var epochLines = text.Split('\n').Where(l => l.StartsWith("epoch ", StringComparison.Ordinal)).ToList();
        Assert.That(epochLines, Has.Count.EqualTo(2), text);
        Assert.That(epochLines, Has.All.Contain("RSS").And.All.Length.GreaterThan(80), "one line per epoch, longer than 80 columns, not wrapped");
        Assert.That(text.Split("dropout to its logits").Length - 1, Is.EqualTo(1), "the deepcnn dropout note, once");
        Assert.That(text, Does.Contain("after 2 epochs"));
    }

    private sealed class SignalAfterTwoEpochs(CliSignals signals) : IDataProvider
    {
        public TrainingData Open(DataRequest request, int batchSize) => new TrainingData(new Source(new DigitBatches(0, 200, 100), signals), new DigitBatches(7000, 100, 100, shuffle: false),
            Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), Normalization.Mnist, 1, 28, "200 digits");

        private sealed class Source(IBatchSource inner, CliSignals signals) : IBatchSource
        {
            public int SamplesPerEpoch => inner.SamplesPerEpoch;
            public int BatchesPerEpoch => inner.BatchesPerEpoch;

            public IEnumerable<Batch> GetEpoch(int epoch, CancellationToken cancellationToken = default)
            {
                if (epoch >= 2) signals.Raise(PosixSignal.SIGTERM); // 0-based: after two epochs
                return inner.GetEpoch(epoch, cancellationToken);
            }
        }
    }
}
