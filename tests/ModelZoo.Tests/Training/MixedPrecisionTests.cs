using ModelZoo.Evaluation;
using ModelZoo.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Training;

/// <summary>bf16/fp16 training through <see cref="TrainingOptions.Precision"/> (<see cref="MixedPrecisionPolicy"/>) and channels-last batches, on real MNIST digits.</summary>
[TestFixture]
[NonParallelizable]
public sealed class MixedPrecisionTests
{
    private static TrainingOptions DeepCnnOptions => TinyNets.Options with { Epochs = 4, BatchSize = 50, LearningRate = 1e-3 };

    private static nn.Module<Tensor, Tensor> DeepCnn() => Zoo.Create("deepcnn", new ModelOptions { Dropout = 0, Seed = 11 });

    [Test]
    public void Bf16TrainingReachesFloat32AccuracyWithFloat32MasterWeights()
    {
        var accuracy = new Dictionary<ComputePrecision, double>();
        foreach (var precision in new[] { ComputePrecision.Fp32, ComputePrecision.Bf16 })
        {
            using var model = DeepCnn();
            using var trainer = new Trainer(model, DeepCnnOptions with { Precision = precision }, TinyNets.Descriptor);
            Assert.That(trainer.Precision, precision == ComputePrecision.Fp32 ? Is.InstanceOf<FullPrecisionPolicy>() : Is.InstanceOf<MixedPrecisionPolicy>());
            var before = TinyNets.Weights(model);
            trainer.Fit(new DigitBatches(0, 3000, 50));
            Assert.That(model.parameters().Select(p => p.dtype), Is.All.EqualTo(ScalarType.Float32), "master weights stay float32");
            Assert.That(TinyNets.Weights(model), Is.Not.EqualTo(before), "the optimiser stepped");
            var report = Evaluator.Evaluate(model, new DigitBatches(6000, 2000, 100, shuffle: false), new EvaluationOptions { Precision = precision });
            accuracy[precision] = report.Top1;
        }
        TestContext.Out.WriteLine($"fp32 {accuracy[ComputePrecision.Fp32]:P2}, bf16 {accuracy[ComputePrecision.Bf16]:P2}");
        Assert.That(accuracy[ComputePrecision.Fp32], Is.GreaterThan(0.9), "the reference run learned");
        Assert.That(accuracy[ComputePrecision.Bf16], Is.EqualTo(accuracy[ComputePrecision.Fp32]).Within(0.01), "bf16 within 1 point of fp32");
    }

    [Test]
    public void TheLossIsFloat32WhenTheLogitsAre16Bit()
    {
        using var scope = NewDisposeScope();
        using var model = DeepCnn();
        var (x, y) = SharedMnist.TrainTensors(8);
        var policy = new MixedPrecisionPolicy(ComputePrecision.Bf16);
        var (loss, logits) = policy.Forward(model, x, y, new ClassificationTask(0.1));
        Assert.That(logits.dtype, Is.EqualTo(ScalarType.BFloat16));
        Assert.That(loss.dtype, Is.EqualTo(ScalarType.Float32));
        var expected = nn.functional.cross_entropy(logits.to_type(ScalarType.Float32), y, label_smoothing: 0.1);
        Assert.That(loss.item<float>(), Is.EqualTo(expected.item<float>()).Within(1e-6));
        Assert.That(Autocast.IsEnabled(), Is.False, "the forward pass leaves no autocast region behind");
    }

    [Test]
    public void Fp16TrainsWithLossScalingAndResumeRestoresTheScale()
    {
        string dir = TinyNets.TempDir();
        var options = TinyNets.Options with { Precision = ComputePrecision.Fp16, MaxStepsPerEpoch = 3, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05 };
        double scale;
        using (var model = TinyNets.Create(dropout: 0))
        using (var trainer = new Trainer(model, options, TinyNets.Descriptor, dir))
        {
            var policy = (MixedPrecisionPolicy)trainer.Precision;
            Assert.That(policy.LossScaling, Is.Not.Null, "fp16 gets dynamic loss scaling");
            var before = TinyNets.Weights(model);
            trainer.Fit(new DigitBatches(0, 300, 50));
            Assert.That(TinyNets.Weights(model), Is.Not.EqualTo(before));
            Assert.That(model.parameters().Select(p => p.dtype), Is.All.EqualTo(ScalarType.Float32));
            scale = policy.LossScaling!.Scale;
        }
        var header = CheckpointFile.ReadHeader(Path.Combine(dir, "checkpoints", "last.ckpt"));
        Assert.That(header.PrecisionState!["loss_scale"], Is.EqualTo(scale), "the scale is in the checkpoint");

        using var again = TinyNets.Create(dropout: 0);
        using var resumed = new Trainer(again, options, TinyNets.Descriptor);
        var fresh = (MixedPrecisionPolicy)resumed.Precision;
        fresh.LossScaling!.LoadState(new Dictionary<string, double> { ["loss_scale"] = 1 });
        resumed.Resume(dir);
        Assert.That(fresh.LossScaling.Scale, Is.EqualTo(scale));
    }

    [Test]
    public void Bf16NeedsNoLossScalingAndFp32NoPolicy()
    {
        Assert.That(new MixedPrecisionPolicy(ComputePrecision.Bf16).LossScaling, Is.Null);
        Assert.That(new MixedPrecisionPolicy(ComputePrecision.Bf16).GetState(), Is.Empty);
        Assert.Throws<ArgumentException>(() => _ = new MixedPrecisionPolicy(ComputePrecision.Fp32));
        Assert.That(MixedPrecisionPolicy.For(ComputePrecision.Fp32, DeviceType.CPU), Is.SameAs(FullPrecisionPolicy.Instance));
    }

    [Test]
    public void ChannelsLastTrainingFollowsTheSameLossesAndWritesNormalCheckpoints()
    {
        // Three-channel input, so the layout really propagates through the network (a one-channel NCHW batch is
        // already laid out channels-last). The losses agree closely; the weights drift further than rounding
        // (documented in docs/precision.md), so they are not compared element by element.
        var losses = new List<double>();
        foreach (bool channelsLast in new[] { false, true })
        {
            string dir = TinyNets.TempDir();
            using var model = Zoo.Create("resnet18", new ModelOptions { NumClasses = 10, InChannels = 3, Seed = 3 });
            var options = TinyNets.Options with { ChannelsLast = channelsLast, MaxStepsPerEpoch = 3, BatchSize = 16, Optimizer = OptimizerKind.Sgd, LearningRate = 0.01, ValidateEachEpoch = false };
            TrainingResult result;
            using (var trainer = new Trainer(model, options, TinyNets.Descriptor with { Channels = 3 }, dir))
            {
                if (channelsLast) Assert.That(model.parameters().Where(p => p.dim() == 4).Select(ChannelsLast.IsChannelsLast), Is.All.True, "weights converted");
                result = trainer.Fit(new ColourBatches());
            }
            losses.Add(result.History[^1].TrainLoss);
            using var check = Zoo.Create("resnet18", new ModelOptions { NumClasses = 10, InChannels = 3, Seed = 99 });
            using (var t = new Trainer(check, options, TinyNets.Descriptor with { Channels = 3 }, dir)) t.Resume(dir);
            Assert.That(TinyNets.Weights(check), Is.EqualTo(TinyNets.Weights(model)), "the checkpoint loads back into an NCHW model");
        }
        Assert.That(losses[1], Is.EqualTo(losses[0]).Within(1e-3 * losses[0]));
    }

    [Test]
    public void ChannelsLastResumeWithAdamIsExact()
    {
        // Adam's moments follow the weights into NHWC; the checkpoint writes and reads them through the NCHW layout
        // TorchSharp needs. A run resumed after epoch 1 must end exactly where the straight run ends.
        var options = TinyNets.Options with { ChannelsLast = true, Epochs = 2, MaxStepsPerEpoch = 2, BatchSize = 16, ValidateEachEpoch = false };
        var descriptor = TinyNets.Descriptor with { Channels = 3 };
        nn.Module<Tensor, Tensor> Net() => Zoo.Create("resnet18", new ModelOptions { NumClasses = 10, InChannels = 3, Seed = 4 });
        using var straight = Net();
        using (var t = new Trainer(straight, options, descriptor)) t.Fit(new ColourBatches());

        string dir = TinyNets.TempDir();
        using (var first = Net())
        using (var t = new Trainer(first, options with { Epochs = 1 }, descriptor, dir)) t.Fit(new ColourBatches());
        using var resumed = Net();
        using (var t = new Trainer(resumed, options, descriptor, dir))
        {
            t.Resume(dir);
            t.Fit(new ColourBatches());
        }
        Assert.That(TinyNets.Weights(resumed), Is.EqualTo(TinyNets.Weights(straight)));
    }

    /// <summary>Three batches of seeded random 3x32x32 images (the layout question needs more than one channel).</summary>
    private sealed class ColourBatches : ModelZoo.Data.IBatchSource
    {
        public int SamplesPerEpoch => 48;

        public int BatchesPerEpoch => 3;

        public IEnumerable<ModelZoo.Data.Batch> GetEpoch(int epoch, CancellationToken cancellationToken = default)
        {
            using var generator = new torch.Generator(100 + (ulong)epoch);
            for (int b = 0; b < 3; b++)
                yield return new ModelZoo.Data.Batch(randn([16, 3, 32, 32], generator: generator), randint(0, 10, [16], generator: generator), Enumerable.Range(b * 16, 16).ToArray());
        }
    }
}
