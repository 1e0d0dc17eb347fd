using System.Runtime.InteropServices;
using System.Text.Json;
using ModelZoo.Cli;
using ModelZoo.Cli.Commands;
using ModelZoo.Data;
using ModelZoo.Tests.Training;
using ModelZoo.Training;
using Spectre.Console;

namespace ModelZoo.Tests.Cli;

[RestoresTorchThreads]
public class TrainCommandTests
{
    private static async Task<(int Code, string Out, string Err)> Run(CliSignals? signals = null, IDataProvider? data = null, params string[] args)
    {
        var stdout = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        var err = new StringWriter();
        using var own = signals is null ? new CliSignals(register: false) : null;
        int code = await CliApp.RunAsync(args, console, err, signals ?? own, data ?? new DigitProvider(), interactive: false);
        return (code, stdout.ToString(), err.ToString());
    }

    [Test]
    public async Task HelpListsTheTrainOptions()
    {
        var (code, output, _) = await Run(null, null, "train", "--help");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        foreach (string option in new[] { "--model", "--data", "--epochs", "--batch-size", "--optimizer", "--lr", "--weight-decay", "--schedule",
                     "--warmup-epochs", "--init", "--label-smoothing", "--augment", "--image-size", "--val-split", "--seed", "--device",
                     "--threads", "--output", "--resume", "--early-stop", "--on-bad-image", "--max-steps", "--json", "--dropout", "--workers" })
            Assert.That(output, Does.Contain(option));
    }

    [TestCase(new[] { "train", "--model", "deepcnn" }, "--model and --data are required")]
    [TestCase(new[] { "train", "--model", "deepcnn", "--data", "mnist-sample", "--optimizer", "rmsprop" }, "--optimizer must be")]
    [TestCase(new[] { "train", "--model", "deepcnn", "--data", "mnist-sample", "--schedule", "linear" }, "--schedule must be")]
    [TestCase(new[] { "train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "0" }, "--epochs must be")]
    [TestCase(new[] { "train", "--model", "no-such-net", "--data", "mnist-sample" }, "unknown model")]
    [TestCase(new[] { "train", "--model", "deepcnn", "--data", "mnist-sample", "--lr", "abc" }, "")]
    [TestCase(new[] { "train", "--model", "deepcnn", "--data", "mnist-sample", "--workers", "-1" }, "--workers must be")]
    [TestCase(new[] { "frobnicate" }, "frobnicate")]
    public async Task UsageErrorsExitTwoWithOneLine(string[] args, string expected)
    {
        var (code, _, err) = await Run(null, null, args);
        Assert.That(code, Is.EqualTo(ExitCodes.Usage), err);
        Assert.That(err, Does.StartWith("modelzoo: error: ").And.Contain(expected));
        Assert.That(err.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task CudaWithoutCudaExitsOne()
    {
        if (TorchSharp.torch.cuda.is_available()) Assert.Ignore("CUDA is available here");
        var (code, _, err) = await Run(null, null, "train", "--model", "deepcnn", "--data", "mnist-sample", "--device", "cuda");
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(err, Does.Contain("device 'cuda' is not available"));
        // This build (TorchSharp-cpu, as the tool package): says what it can run and what a GPU build needs.
        Assert.That(err, Does.Contain("carries the CPU build of libtorch only").And.Contain("runs on the CPU")
            .And.Contain("-p:TorchBackend=cuda").And.Contain("NVIDIA driver"));
    }

    [Test]
    public async Task DamagedResumeCheckpointExitsOneNamingTheFile()
    {
        string dir = TinyNets.TempDir();
        string file = Path.Combine(dir, "last.ckpt");
        File.WriteAllBytes(file, new byte[100]);
        var (code, _, err) = await Run(null, null, "train", "--resume", file);
        Assert.That(code, Is.EqualTo(ExitCodes.Failure));
        Assert.That(err, Does.Contain(file));
    }

    [Test]
    public void ErrorMappingCoversTheTypedExceptions()
    {
        Assert.That(CliErrors.Map(new NonFiniteLossException(1, 2, double.NaN)).ExitCode, Is.EqualTo(ExitCodes.Failure));
        Assert.That(CliErrors.Map(new CheckpointException("x", "bad")).ExitCode, Is.EqualTo(ExitCodes.Failure));
        Assert.That(CliErrors.Map(new ModelZooDataException("bad file", "f")).ExitCode, Is.EqualTo(ExitCodes.Failure));
        Assert.That(CliErrors.Map(new UnknownModelException("x", [])).ExitCode, Is.EqualTo(ExitCodes.Usage));
        using var signals = new CliSignals(register: false);
        Assert.That(signals.InterruptedExitCode, Is.EqualTo(130));
        signals.Raise(PosixSignal.SIGTERM);
        Assert.That(signals.InterruptedExitCode, Is.EqualTo(143));
        Assert.That(signals.Token.IsCancellationRequested);
    }

    [Test, Category("NeedsZoo")]
    public async Task TrainsDeepCnnEndToEndWithJsonSummary()
    {
        if (!Zoo.Names.Contains("deepcnn")) Assert.Ignore("the zoo is not populated on this branch");
        string dir = TinyNets.TempDir();
        var (code, output, err) = await Run(null, null, "train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "2",
            "--max-steps", "5", "--threads", "1", "--output", dir, "--json");
        Assert.That(code, Is.EqualTo(ExitCodes.Success), err);
        using var json = JsonDocument.Parse(output);
        Assert.That(json.RootElement.GetProperty("status").GetString(), Is.EqualTo("completed"));
        Assert.That(json.RootElement.GetProperty("steps").GetInt64(), Is.EqualTo(10));
        var info = Checkpoint.ReadInfo(Path.Combine(dir, "checkpoints", Checkpoint.LastFileName));
        Assert.That(info.ModelName, Is.EqualTo("deepcnn"));
        var (model, _) = Checkpoint.LoadModel(Path.Combine(dir, "checkpoints", Checkpoint.BestFileName));
        model.Dispose();
        Assert.That(File.Exists(Path.Combine(dir, "config.json")) && File.Exists(Path.Combine(dir, "metrics.jsonl")) && File.Exists(Path.Combine(dir, "curves.png")));
        Assert.That(err, Does.Contain("parameters"));

        var resumed = await Run(null, null, "train", "--resume", dir, "--epochs", "3", "--json");
        Assert.That(resumed.Code, Is.EqualTo(ExitCodes.Success), resumed.Err);
        Assert.That(Checkpoint.ReadInfo(dir).Epoch, Is.EqualTo(3));
    }

    [Test, Category("NeedsZoo")]
    public async Task SigtermFinishesTheStepWritesLastAndExits143()
    {
        if (!Zoo.Names.Contains("deepcnn")) Assert.Ignore("the zoo is not populated on this branch");
        string dir = TinyNets.TempDir();
        using var signals = new CliSignals(register: false);
        var (code, _, err) = await Run(signals, new DigitProvider(afterBatches: 3, raise: signals), "train", "--model", "deepcnn",
            "--data", "mnist-sample", "--epochs", "2", "--threads", "1", "--output", dir);
        Assert.That(code, Is.EqualTo(ExitCodes.Terminated), err);
        Assert.That(Checkpoint.ReadInfo(dir).Step, Is.InRange(3, 4));
    }

    /// <summary>In-memory MNIST digits instead of the (unmerged) data layer.</summary>
    private sealed class DigitProvider(int? afterBatches = null, CliSignals? raise = null) : IDataProvider
    {
        public TrainingData Open(DataRequest request, int batchSize)
        {
            IBatchSource train = new DigitBatches(0, 1000, Math.Min(batchSize, 100));
            if (afterBatches is int n) train = new SignalAfter(train, n, raise!);
            return new TrainingData(train, new DigitBatches(7000, 200, 100, shuffle: false),
                Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(),
                Normalization.Mnist, 1, 28, "1000 training digits (test provider)");
        }
    }

    private sealed class SignalAfter(IBatchSource inner, int n, CliSignals signals) : IBatchSource
    {
        public int SamplesPerEpoch => inner.SamplesPerEpoch;
        public int BatchesPerEpoch => inner.BatchesPerEpoch;

        public IEnumerable<Batch> GetEpoch(int epoch, CancellationToken cancellationToken = default)
        {
            int i = 0;
            foreach (var b in inner.GetEpoch(epoch, CancellationToken.None))
            {
                if (++i == n) signals.Raise(PosixSignal.SIGTERM);
                yield return b;
            }
        }
    }
}
