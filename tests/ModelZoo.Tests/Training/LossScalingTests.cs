using ModelZoo.Training;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Training;

/// <summary><see cref="DynamicLossScaling"/> (GradScaler's rules) in the trainer, on real MNIST digits.</summary>
[TestFixture]
public sealed class LossScalingTests
{
    private static TrainingOptions Sgd => TinyNets.Options with { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05 };

    [Test]
    public void AnOverflowSkipsTheStepHalvesTheScaleAndLeavesTheWeights()
    {
        using var model = TinyNets.Create(dropout: 0);
        var before = TinyNets.Weights(model);
        // A float32 loss times 1e300 is infinite, so every gradient overflows.
        var scaling = new DynamicLossScaling(initialScale: 1e300, growthInterval: 1);
        using var trainer = new Trainer(model, Sgd with { MaxStepsPerEpoch = 2 }, TinyNets.Descriptor) { Precision = scaling };
        trainer.Fit(new DigitBatches(0, 200, 50));
        Assert.That(TinyNets.Weights(model), Is.EqualTo(before), "skipped steps leave every weight as it was");
        Assert.That(scaling.SkippedSteps, Is.EqualTo(2));
        Assert.That(scaling.Scale, Is.EqualTo(0.25e300).Within(1e285), "halved once per overflow");
        Assert.That(scaling.CleanSteps, Is.Zero);
    }

    [Test]
    public void TheScaleGrowsAfterTheConfiguredCleanSteps()
    {
        using var model = TinyNets.Create(dropout: 0);
        var scaling = new DynamicLossScaling(initialScale: 1024, growthInterval: 3);
        using var trainer = new Trainer(model, Sgd with { MaxStepsPerEpoch = 7 }, TinyNets.Descriptor) { Precision = scaling };
        trainer.Fit(new DigitBatches(0, 400, 50));
        Assert.That(scaling.SkippedSteps, Is.Zero);
        Assert.That(scaling.Scale, Is.EqualTo(4096), "doubled after steps 3 and 6");
        Assert.That(scaling.CleanSteps, Is.EqualTo(1));
    }

    [Test]
    public void APowerOfTwoScaleTrainsExactlyLikeNoScaling()
    {
        // Multiplying by 2^k and dividing again is exact in floating point, so the hooks and the optimiser see the
        // same gradients as without scaling: a check that Unscale runs, and runs once per step.
        using var plain = TinyNets.Create(dropout: 0);
        using (var t = new Trainer(plain, Sgd with { MaxStepsPerEpoch = 4 }, TinyNets.Descriptor)) t.Fit(new DigitBatches(0, 200, 50));
        using var scaled = TinyNets.Create(dropout: 0);
        using (var t = new Trainer(scaled, Sgd with { MaxStepsPerEpoch = 4 }, TinyNets.Descriptor) { Precision = new DynamicLossScaling(initialScale: 4096) })
            t.Fit(new DigitBatches(0, 200, 50));
        Assert.That(TinyNets.Weights(scaled), Is.EqualTo(TinyNets.Weights(plain)));
    }

    [Test]
    public void ResumeRestoresTheScale()
    {
        string dir = TinyNets.TempDir();
        var first = new DynamicLossScaling(initialScale: 256, growthInterval: 2);
        using (var model = TinyNets.Create(dropout: 0))
        using (var t = new Trainer(model, Sgd with { MaxStepsPerEpoch = 5 }, TinyNets.Descriptor, dir) { Precision = first })
            t.Fit(new DigitBatches(0, 300, 50));
        Assert.That(first.Scale, Is.EqualTo(1024));
        Assert.That(first.CleanSteps, Is.EqualTo(1));

        var resumed = new DynamicLossScaling(initialScale: 1, growthInterval: 2);
        using var again = TinyNets.Create(dropout: 0);
        using var trainer = new Trainer(again, Sgd with { MaxStepsPerEpoch = 5 }, TinyNets.Descriptor) { Precision = resumed };
        trainer.Resume(dir);
        Assert.That(resumed.Scale, Is.EqualTo(1024));
        Assert.That(resumed.CleanSteps, Is.EqualTo(1));
        Assert.Throws<ArgumentException>(() => resumed.LoadState(new Dictionary<string, double>()));
    }
}
