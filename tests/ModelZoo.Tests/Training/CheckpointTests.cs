using ModelZoo.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Training;

[RestoresTorchThreads]
public class CheckpointTests
{
    private static string TrainOneEpoch(TrainingOptions? options = null)
    {
        string dir = TinyNets.TempDir();
        using var model = TinyNets.Create();
        using var trainer = new Trainer(model, options ?? TinyNets.Options with { MaxStepsPerEpoch = 5 }, TinyNets.Descriptor, dir);
        trainer.Fit(new DigitBatches(0, 500, 50));
        return dir;
    }

    [Test]
    public void RoundTripRestoresWeightsAndInfo()
    {
        string dir = TinyNets.TempDir();
        using var model = TinyNets.Create();
        using (var trainer = new Trainer(model, TinyNets.Options with { MaxStepsPerEpoch = 5 }, TinyNets.Descriptor, dir))
            trainer.Fit(new DigitBatches(0, 500, 50));
        string last = Path.Combine(dir, "checkpoints", Checkpoint.LastFileName);

        var info = Checkpoint.ReadInfo(last);
        Assert.That(info.ModelName, Is.EqualTo("tinynet"));
        Assert.That(info.ClassNames, Is.EqualTo(TinyNets.Descriptor.ClassNames));
        Assert.That(info.Normalization.Mean, Is.EqualTo(new[] { 0.1307f }));
        Assert.That(info.ModelOptions, Is.EqualTo(TinyNets.Descriptor.ModelOptions));
        Assert.That((info.Channels, info.ImageSize, info.Epoch, info.Step, info.DataSpec), Is.EqualTo((1, 28, 1, 5L, "mnist-sample")));
        Assert.That(Checkpoint.ReadInfo(dir), Is.EqualTo(info).Using<CheckpointInfo>((a, b) => a.Step == b.Step && a.ModelName == b.ModelName));

        Assert.That(TrainerTests.ReloadWeights(dir), Is.EqualTo(TinyNets.Weights(model)));
        Assert.That(Directory.GetFiles(Path.Combine(dir, "checkpoints"), "*.tmp"), Is.Empty);
    }

    [TestCase("truncate")]
    [TestCase("flip")]
    [TestCase("flip-header")]
    [TestCase("empty")]
    public void DamagedCheckpointIsRejectedAndLiveModelUntouched(string damage)
    {
        string dir = TrainOneEpoch();
        string last = Path.Combine(dir, "checkpoints", Checkpoint.LastFileName);
        byte[] bytes = File.ReadAllBytes(last);
        switch (damage)
        {
            case "truncate": bytes = bytes[..(bytes.Length * 2 / 3)]; break;
            case "flip": bytes[bytes.Length / 3] ^= 0x10; break;
            case "flip-header": bytes[bytes.Length - 32 - 8 - 20] ^= 0x01; break;
            case "empty": bytes = []; break;
        }
        File.WriteAllBytes(last, bytes);

        using var live = TinyNets.Create(seed: 123);
        var before = TinyNets.Weights(live);
        using var trainer = new Trainer(live, TinyNets.Options, TinyNets.Descriptor);
        var e = Assert.Throws<CheckpointException>(() => trainer.Resume(last))!;
        Assert.That(e.Message, Does.Contain(last));
        Assert.That(e, Is.InstanceOf<ModelZooException>());
        Assert.That(TinyNets.Weights(live), Is.EqualTo(before));
        Assert.Throws<CheckpointException>(() => Checkpoint.ReadInfo(last));
    }

    [Test]
    public void CheckpointOfAnotherArchitectureIsRejectedBeforeAnyCopy()
    {
        string dir = TrainOneEpoch();
        torch.manual_seed(1);
        using var other = nn.Sequential(("conv", nn.Conv2d(1, 4, 3)), ("fc", nn.Linear(10, 10)));
        var before = TinyNets.Weights(other);
        using var trainer = new Trainer(other, TinyNets.Options, TinyNets.Descriptor);
        Assert.Throws<CheckpointException>(() => trainer.Resume(dir));
        Assert.That(TinyNets.Weights(other), Is.EqualTo(before));
    }

    [Test]
    public void MissingCheckpointIsATypedError()
    {
        Assert.Throws<CheckpointException>(() => Checkpoint.ReadInfo(Path.Combine(TinyNets.TempDir(), "nope.ckpt")));
        Assert.Throws<CheckpointException>(() => Checkpoint.ReadInfo(TinyNets.TempDir()));
    }

    [TestCase(OptimizerKind.Momentum, ScheduleKind.Cosine)]
    [TestCase(OptimizerKind.Adam, ScheduleKind.OneCycle)]
    public void ResumeIsExact(OptimizerKind optimizer, ScheduleKind schedule)
    {
        var options = TinyNets.Options with { Epochs = 4, Optimizer = optimizer, Schedule = schedule, LearningRate = 0.01, WarmupEpochs = 1, Threads = 1 };
        var train = () => new DigitBatches(0, 400, 50);

        using var straight = TinyNets.Create();
        using (var t = new Trainer(straight, options, TinyNets.Descriptor))
            t.Fit(train());

        string dir = TinyNets.TempDir();
        using (var first = TinyNets.Create())
        using (var t = new Trainer(first, options, TinyNets.Descriptor, dir))
        using (var cts = new CancellationTokenSource())
        {
            t.Callbacks.Add(new TrainerTests.EpochProbe(() => { if (t.EpochsCompleted == 2) cts.Cancel(); }));
            var r = t.Fit(train(), null, cts.Token);
            Assert.That(r.Status, Is.EqualTo(TrainingStatus.Interrupted));
            Assert.That(r.EpochsCompleted, Is.EqualTo(2));
        }
        torch.manual_seed(555); // disturb the global generator: resume must restore it
        using var resumed = TinyNets.Create(seed: 77);
        using (var t = new Trainer(resumed, options, TinyNets.Descriptor, dir))
        {
            t.Resume(dir);
            var r = t.Fit(train());
            Assert.That(r.Status, Is.EqualTo(TrainingStatus.Completed));
            Assert.That(r.Step, Is.EqualTo(32));
        }
        var a = TinyNets.Weights(straight);
        var b = TinyNets.Weights(resumed);
        Assert.That(b.Zip(a, (x, y) => Math.Abs(x - y)).Max(), Is.LessThanOrEqualTo(1e-6f));
    }

    [Test]
    public void ResumeMidEpochIsExact()
    {
        var options = TinyNets.Options with { Epochs = 2, Optimizer = OptimizerKind.Adam, Threads = 1 };
        using var straight = TinyNets.Create();
        using (var t = new Trainer(straight, options, TinyNets.Descriptor))
            t.Fit(new DigitBatches(0, 400, 50));

        string dir = TinyNets.TempDir();
        using (var first = TinyNets.Create())
        using (var t = new Trainer(first, options, TinyNets.Descriptor, dir) { ProgressInterval = 1 })
        using (var cts = new CancellationTokenSource())
        {
            t.Callbacks.Add(new ProgressCallback(p => { if (p.Step == 11) cts.Cancel(); }));
            Assert.That(t.Fit(new DigitBatches(0, 400, 50), null, cts.Token).Status, Is.EqualTo(TrainingStatus.Interrupted));
        }
        using var resumed = TinyNets.Create(seed: 78);
        using (var t = new Trainer(resumed, options, TinyNets.Descriptor, dir))
        {
            t.Resume(dir);
            Assert.That(t.Fit(new DigitBatches(0, 400, 50)).Step, Is.EqualTo(16));
        }
        var a = TinyNets.Weights(straight);
        var b = TinyNets.Weights(resumed);
        Assert.That(b.Zip(a, (x, y) => Math.Abs(x - y)).Max(), Is.LessThanOrEqualTo(1e-6f));
    }

    [Test]
    public void NonFiniteLossStopsAndLeavesCheckpointsUntouched()
    {
        var sgd = TinyNets.Options with { Optimizer = OptimizerKind.Sgd, LearningRate = 0.01, MaxStepsPerEpoch = 5, Epochs = 1 };
        string dir = TrainOneEpoch(sgd);
        string last = Path.Combine(dir, "checkpoints", Checkpoint.LastFileName);
        string best = Path.Combine(dir, "checkpoints", Checkpoint.BestFileName);
        byte[] lastBefore = File.ReadAllBytes(last), bestBefore = File.ReadAllBytes(best);

        using var model = TinyNets.Create();
        using var trainer = new Trainer(model, sgd with { LearningRate = 1e12, Epochs = 5, MaxStepsPerEpoch = null }, TinyNets.Descriptor, dir);
        trainer.Resume(dir);
        var e = Assert.Throws<NonFiniteLossException>(() => trainer.Fit(new DigitBatches(0, 500, 50)))!;
        Assert.That(e, Is.InstanceOf<ModelZooException>());
        Assert.That(File.ReadAllBytes(last), Is.EqualTo(lastBefore));
        Assert.That(File.ReadAllBytes(best), Is.EqualTo(bestBefore));
    }
}
