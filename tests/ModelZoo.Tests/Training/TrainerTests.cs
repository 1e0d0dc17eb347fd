using System.Text.Json;
using ModelZoo.Evaluation;
using ModelZoo.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Training;

[RestoresTorchThreads]
public class TrainerTests
{
    [Test]
    public void LossGoesDownOnRealDigits()
    {
        using var model = TinyNets.Create();
        var val = new DigitBatches(7000, 1000, 100, shuffle: false);
        var before = Evaluator.Evaluate(model, val);
        using var trainer = new Trainer(model, TinyNets.Options with { Epochs = 1 }, TinyNets.Descriptor);
        var result = trainer.Fit(new DigitBatches(0, 5000, 50), val);
        var after = Evaluator.Evaluate(model, val);
        Assert.That(result.Status, Is.EqualTo(TrainingStatus.Completed));
        Assert.That(result.Step, Is.EqualTo(100));
        Assert.That(after.Loss, Is.LessThan(before.Loss * 0.5), $"before {before.Loss}, after {after.Loss}");
        Assert.That(after.Top1, Is.GreaterThan(0.8));
        Assert.That(after.TopK, Is.GreaterThanOrEqualTo(after.Top1));
        Assert.That(result.History[0].ValidationAccuracy, Is.EqualTo(after.Top1).Within(1e-9));
    }

    [Test]
    public void GradientHookSeesGradientsBeforeTheStep()
    {
        using var model = TinyNets.Create();
        using var trainer = new Trainer(model, TinyNets.Options with { MaxStepsPerEpoch = 3 }, TinyNets.Descriptor);
        var initial = TinyNets.Weights(model);
        var hook = new RecordingHook(model);
        trainer.GradientHooks.Add(hook);
        trainer.Fit(new DigitBatches(0, 500, 50));
        Assert.That(hook.Calls, Is.EqualTo(new long[] { 0, 1, 2 }));
        Assert.That(hook.AllGradientsPresent, Is.True);
        Assert.That(hook.Snapshots[0], Is.EqualTo(initial), "the first hook must run before the first optimizer.step()");
        Assert.That(hook.Snapshots[1], Is.Not.EqualTo(initial));
    }

    [Test]
    public void PrecisionPolicyWrapsForwardAndCanSkipTheStep()
    {
        using var model = TinyNets.Create();
        var before = TinyNets.Weights(model);
        using var trainer = new Trainer(model, TinyNets.Options with { MaxStepsPerEpoch = 2 }, TinyNets.Descriptor);
        var policy = new SkippingPolicy();
        trainer.Precision = policy;
        trainer.Fit(new DigitBatches(0, 500, 50));
        Assert.That(policy.Forwards, Is.EqualTo(2));
        Assert.That(TinyNets.Weights(model), Is.EqualTo(before));
    }

    [Test]
    public void RunDirectoryHasMetricsConfigCurvesAndCheckpoints()
    {
        string dir = TinyNets.TempDir();
        using var model = TinyNets.Create();
        var configuration = RunConfiguration.For(TinyNets.Descriptor, TinyNets.Options with { Epochs = 2, MaxStepsPerEpoch = 5, TensorBoard = true });
        configuration = configuration with { Spec = configuration.Spec with { DataOptions = new RunDataOptions { Augment = "none" } } };
        using var trainer = new Trainer(model, configuration, dir);
        var result = trainer.Fit(new DigitBatches(0, 500, 50), new DigitBatches(7000, 200, 100, shuffle: false));

        string[] lines = File.ReadAllLines(Path.Combine(dir, "metrics.jsonl"));
        Assert.That(lines, Has.Length.EqualTo(2));
        using (var doc = JsonDocument.Parse(lines[1]))
        {
            var r = doc.RootElement;
            foreach (string field in new[] { "epoch", "train_loss", "train_acc", "val_loss", "val_acc", "val_top5", "lr", "seconds", "images_per_second", "rss_mb" })
                Assert.That(r.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number, $"field {field}");
            Assert.That(r.GetProperty("epoch").GetInt32(), Is.EqualTo(2));
            // Resident memory of a TorchSharp process is tens of megabytes at least; zero would mean it was not measured.
            Assert.That(r.GetProperty("rss_mb").GetDouble(), Is.GreaterThan(20));
        }

        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json"))))
        {
            var c = config.RootElement;
            Assert.That(c.GetProperty("model").GetString(), Is.EqualTo("tinynet"));
            Assert.That(c.GetProperty("data").GetString(), Is.EqualTo("mnist-sample"));
            Assert.That(c.GetProperty("training").GetProperty("seed").GetInt64(), Is.EqualTo(3));
            Assert.That(c.GetProperty("training").GetProperty("optimizer").GetString(), Is.EqualTo("adam"));
            Assert.That(c.GetProperty("training").GetProperty("epochs").GetInt32(), Is.EqualTo(2));
            Assert.That(c.GetProperty("modelOptions").GetProperty("numClasses").GetInt32(), Is.EqualTo(10));
            Assert.That(c.GetProperty("run").GetProperty("versions").GetProperty("torchsharp").GetString(), Does.StartWith("0.107"));
            Assert.That(c.GetProperty("run").GetProperty("versions").GetProperty("dotnet").GetString(), Does.Contain(".NET"));
            Assert.That(c.GetProperty("run").GetProperty("classes").GetArrayLength(), Is.EqualTo(10));
            Assert.That(c.GetProperty("dataOptions").GetProperty("augment").GetString(), Is.EqualTo("none"));
        }

        // curves.png is the CLI's (the training library has no plotting dependency); see TrainCommandTests.
        Assert.That(File.Exists(Path.Combine(dir, "curves.png")), Is.False);
        Assert.That(Directory.EnumerateFiles(Path.Combine(dir, "tensorboard"), "*", SearchOption.AllDirectories), Is.Not.Empty);
        Assert.That(result.LastCheckpoint, Is.EqualTo(Path.Combine(dir, "checkpoints", "last.ckpt")));
        Assert.That(result.BestCheckpoint, Is.Not.Null);
        Assert.That(Directory.GetFiles(Path.Combine(dir, "checkpoints")).Select(Path.GetFileName), Is.EquivalentTo(new[] { "last.ckpt", "best.ckpt" }));
    }

    [Test]
    public void TensorCountStaysFlatAcrossEpochs()
    {
        using var model = TinyNets.Create();
        using var trainer = new Trainer(model, TinyNets.Options with { Epochs = 5, MaxStepsPerEpoch = 10 }, TinyNets.Descriptor);
        var counts = new List<long>();
        var rss = new List<long>();
        trainer.Callbacks.Add(new EpochProbe(() =>
        {
            counts.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            GC.Collect();
            rss.Add(Environment.WorkingSet);
        }));
        trainer.Fit(new DigitBatches(0, 1000, 50), new DigitBatches(7000, 200, 100, shuffle: false));
        Assert.That(counts, Has.Count.EqualTo(5));
        Assert.That(counts[4], Is.EqualTo(counts[0]), string.Join(",", counts));
        Assert.That((double)rss[4], Is.LessThanOrEqualTo(rss[0] * 1.05), string.Join(",", rss));
    }

    [Test]
    public void CancellationFinishesTheStepAndWritesLast()
    {
        string dir = TinyNets.TempDir();
        using var model = TinyNets.Create();
        using var cts = new CancellationTokenSource();
        using var trainer = new Trainer(model, TinyNets.Options with { Epochs = 3 }, TinyNets.Descriptor, dir) { ProgressInterval = 1 };
        trainer.Callbacks.Add(new ProgressCallback(p => { if (p.Phase == "train" && p.Step == 3) cts.Cancel(); }));
        var result = trainer.Fit(new DigitBatches(0, 500, 50), null, cts.Token);
        Assert.That(result.Status, Is.EqualTo(TrainingStatus.Interrupted));
        Assert.That(result.Step, Is.EqualTo(3));
        var info = Checkpoint.ReadInfo(Path.Combine(dir, "checkpoints", "last.ckpt"));
        Assert.That(info.Step, Is.EqualTo(3));
        Assert.That(info.Epoch, Is.EqualTo(0));
        Assert.That(TinyNets.Weights(model), Is.EqualTo(ReloadWeights(dir)));
    }

    [Test]
    public void DeviceCudaWithoutCudaIsATypedError()
    {
        if (cuda.is_available()) Assert.Ignore("CUDA is available here");
        using var model = TinyNets.Create();
        Assert.Throws<DeviceUnavailableException>(() => new Trainer(model, TinyNets.Options with { Device = "cuda" }, TinyNets.Descriptor));
    }

    internal static float[] ReloadWeights(string runDir)
    {
        using var fresh = TinyNets.Create(seed: 999);
        using var t = new Trainer(fresh, TinyNets.Options, TinyNets.Descriptor);
        t.Resume(runDir);
        return TinyNets.Weights(fresh);
    }

    private sealed class RecordingHook(nn.Module model) : IGradientHook
    {
        public List<long> Calls { get; } = [];
        public bool AllGradientsPresent { get; private set; } = true;
        public List<float[]> Snapshots { get; } = [];

        public void OnGradients(IReadOnlyList<Parameter> parameters, long step)
        {
            Calls.Add(step);
            foreach (var p in parameters)
            {
                using var g = p.grad;
                if (g is null || !isfinite(g).all().item<bool>() || g.abs().sum().item<float>() == 0) AllGradientsPresent = false;
            }
            Snapshots.Add(TinyNets.Weights(model));
        }
    }

    private sealed class SkippingPolicy : IPrecisionPolicy
    {
        public int Forwards { get; private set; }
        public void Prepare(nn.Module<Tensor, Tensor> model) { }
        public (Tensor Loss, Tensor Logits) Forward(nn.Module<Tensor, Tensor> model, Tensor input, Tensor target, ITrainingTask task) { Forwards++; return task.Compute(model, input, target); }
        public Tensor ScaleForBackward(Tensor loss) => loss;
        public void Unscale(IReadOnlyList<Parameter> parameters) { }
        public bool ShouldStep(IReadOnlyList<Parameter> parameters) => false;
        public IReadOnlyDictionary<string, double> GetState() => new Dictionary<string, double>();
        public void LoadState(IReadOnlyDictionary<string, double> state) { }
    }

    internal sealed class EpochProbe(Action onEpoch) : ITrainingCallback
    {
        public void OnEpochEnd(Trainer trainer, EpochMetrics metrics) => onEpoch();
    }
}
