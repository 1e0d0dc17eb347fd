using ModelZoo.Training;

namespace ModelZoo.Tests.Training;

public class LearningRateScheduleTests
{
    private static LearningRateSchedule Make(ScheduleKind kind, double warmup = 0, int epochs = 10, int stepsPerEpoch = 10) =>
        new(new TrainingOptions { Epochs = epochs, LearningRate = 0.1, Schedule = kind, WarmupEpochs = warmup, StepEpochs = 3, StepGamma = 0.5 }, stepsPerEpoch);

    [Test]
    public void ConstantIsFlat()
    {
        var s = Make(ScheduleKind.Constant);
        Assert.That(Enumerable.Range(0, 100).Select(i => s.At(i)), Is.All.EqualTo(0.1));
    }

    [Test]
    public void WarmupRampsLinearlyThenHandsOver()
    {
        var s = Make(ScheduleKind.Constant, warmup: 2);
        Assert.That(s.WarmupSteps, Is.EqualTo(20));
        Assert.That(s.At(0), Is.EqualTo(0.1 / 20).Within(1e-12));
        Assert.That(s.At(9), Is.EqualTo(0.1 * 10 / 20).Within(1e-12));
        Assert.That(s.At(19), Is.EqualTo(0.1).Within(1e-12));
        Assert.That(s.At(20), Is.EqualTo(0.1));
    }

    [Test]
    public void StepDecaysEveryStepEpochs()
    {
        var s = Make(ScheduleKind.Step);
        Assert.That(s.At(29), Is.EqualTo(0.1).Within(1e-12));
        Assert.That(s.At(30), Is.EqualTo(0.05).Within(1e-12));
        Assert.That(s.At(60), Is.EqualTo(0.025).Within(1e-12));
        Assert.That(s.At(99), Is.EqualTo(0.0125).Within(1e-12));
    }

    [Test]
    public void CosineGoesFromBaseToZeroThroughHalf()
    {
        var s = Make(ScheduleKind.Cosine);
        Assert.That(s.At(0), Is.EqualTo(0.1).Within(1e-12));
        Assert.That(s.At(50), Is.EqualTo(0.05).Within(1e-12));
        Assert.That(s.At(100), Is.EqualTo(0).Within(1e-12));
        var values = Enumerable.Range(0, 100).Select(i => s.At(i)).ToList();
        Assert.That(values, Is.Ordered.Descending);
    }

    [Test]
    public void CosineWithWarmupStartsAfterWarmup()
    {
        var s = Make(ScheduleKind.Cosine, warmup: 1);
        Assert.That(s.At(9), Is.EqualTo(0.1).Within(1e-12));
        Assert.That(s.At(10), Is.EqualTo(0.1).Within(1e-12));
        Assert.That(s.At(55), Is.EqualTo(0.05).Within(1e-12));
    }

    [Test]
    public void OneCycleRisesToPeakAtThirtyPercentThenAnnealsToTiny()
    {
        var s = Make(ScheduleKind.OneCycle);
        Assert.That(s.At(0), Is.EqualTo(0.1 / 25).Within(1e-12));
        int peak = Enumerable.Range(0, 100).MaxBy(i => s.At(i));
        Assert.That(peak, Is.InRange(28, 30));
        Assert.That(s.At(peak), Is.EqualTo(0.1).Within(1e-12));
        Assert.That(s.At(99), Is.EqualTo(0.1 / 25 / 1e4).Within(1e-12));
        Assert.That(Enumerable.Range(0, peak + 1).Select(i => s.At(i)), Is.Ordered.Ascending);
        Assert.That(Enumerable.Range(peak, 100 - peak).Select(i => s.At(i)), Is.Ordered.Descending);
    }

    [Test]
    public void DefaultsTableHasTheSeedRecipeForDeepCnn()
    {
        var r = TrainingDefaults.For("deepcnn", "mnist");
        Assert.That(r.Options.Optimizer, Is.EqualTo(OptimizerKind.Adam));
        Assert.That(r.Options.LearningRate, Is.EqualTo(1e-3));
        Assert.That(r.Options.BatchSize, Is.EqualTo(100));
        Assert.That(r.Init, Is.EqualTo(InitScheme.He));
        var resnet = TrainingDefaults.For("resnet50", "folder");
        Assert.That(resnet.Options.Optimizer, Is.EqualTo(OptimizerKind.Momentum));
        Assert.That(resnet.Options.LearningRate, Is.EqualTo(0.1));
        Assert.That(resnet.Options.WeightDecay, Is.EqualTo(1e-4));
        Assert.That(TrainingDefaults.For("vgg16_bn", "folder").Options.WeightDecay, Is.EqualTo(5e-4));
    }
}
