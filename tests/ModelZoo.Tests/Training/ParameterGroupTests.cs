using ModelZoo.Data;
using ModelZoo.Training;
using ModelZoo.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Training;

/// <summary>Discriminative learning rates (<see cref="TrainingOptions.BackboneLearningRate"/>): backbone and head groups.</summary>
[TestFixture]
public sealed class ParameterGroupTests
{
    private static readonly ModelOptions DeepCnnOptions = new() { NumClasses = 10, InChannels = 1, Dropout = 0, Seed = 5 };

    private static ModelDescriptor DeepCnn => new("deepcnn", DeepCnnOptions,
        Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(),
        Normalization.Mnist, 1, 28, "mnist-sample");

    private static TrainingOptions Sgd => TinyNets.Options with { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, MaxStepsPerEpoch = 3 };

    private static (float[] Backbone, float[] Head) Split(nn.Module model)
    {
        using var scope = NewDisposeScope();
        var backbone = new List<float>();
        var head = new List<float>();
        foreach (var (name, p) in model.named_parameters())
            (PretrainedWeights.IsHeadParameter(Zoo.Card("deepcnn"), name) ? head : backbone).AddRange(p.detach().flatten().data<float>().ToArray());
        return (backbone.ToArray(), head.ToArray());
    }

    [Test]
    public void BackboneMovesAtItsOwnRateAndTheHeadAtTheBaseRate()
    {
        using var model = Zoo.Create("deepcnn", DeepCnnOptions);
        var before = Split(model);
        // A backbone rate of 1e-30 leaves every backbone weight where it was (the update is below float32 resolution),
        // while the head moves at the base rate: proof that each group steps with its own rate.
        using (var trainer = new Trainer(model, Sgd with { BackboneLearningRate = 1e-30 }, DeepCnn))
        {
            Assert.That(trainer.ParameterGroups.Select(g => g.Name), Is.EqualTo(new[] { "backbone", "head" }));
            Assert.That(trainer.ParameterGroups[0].LearningRateScale, Is.EqualTo(1e-30 / 0.05).Within(1e-12));
            trainer.Fit(new DigitBatches(0, 300, 50));
            Assert.That(trainer.Optimizer.ParamGroups.Select(g => g.LearningRate), Is.EqualTo(new[] { 1e-30, 0.05 }).Within(1e-40));
        }
        var after = Split(model);
        Assert.That(after.Backbone, Is.EqualTo(before.Backbone).Within(1e-20), "backbone at 1e-30 (zero-initialised biases move by ~1e-31)");
        Assert.That(after.Head, Is.Not.EqualTo(before.Head), "head at 0.05");

        using var plain = Zoo.Create("deepcnn", DeepCnnOptions);
        var plainBefore = Split(plain);
        using (var trainer = new Trainer(plain, Sgd, DeepCnn))
        {
            Assert.That(trainer.ParameterGroups, Has.Count.EqualTo(1));
            trainer.Fit(new DigitBatches(0, 300, 50));
        }
        Assert.That(Split(plain).Backbone, Is.Not.EqualTo(plainBefore.Backbone), "without a backbone rate the backbone trains");
    }

    [Test]
    public void TheScheduleScalesBothGroupsAlike()
    {
        using var model = Zoo.Create("deepcnn", DeepCnnOptions);
        var options = Sgd with { BackboneLearningRate = 0.005, Schedule = ScheduleKind.Cosine, Epochs = 2 };
        using var trainer = new Trainer(model, options, DeepCnn);
        var ratios = new List<double>();
        // The rates each optimiser step uses (the schedule sets the next step's rate after a step; the last is 0).
        trainer.Callbacks.Add(new BeforeStepProbe(() => ratios.Add(trainer.Optimizer.ParamGroups.First().LearningRate / trainer.Optimizer.ParamGroups.Last().LearningRate)));
        trainer.Fit(new DigitBatches(0, 300, 50));
        Assert.That(trainer.LearningRate, Is.LessThan(0.05), "the cosine schedule decayed the head's rate");
        Assert.That(ratios, Has.Count.EqualTo(6), "2 epochs of 3 steps");
        Assert.That(ratios, Has.All.EqualTo(0.1).Within(1e-9));
    }

    [Test]
    public void ResumeRebuildsTheGroupsExactly()
    {
        var options = TinyNets.Options with { BackboneLearningRate = 2e-4, LearningRate = 2e-3, MaxStepsPerEpoch = 3, Epochs = 2 };
        using var straight = Zoo.Create("deepcnn", DeepCnnOptions);
        using (var t = new Trainer(straight, options, DeepCnn)) t.Fit(new DigitBatches(0, 300, 50));

        string dir = TinyNets.TempDir();
        using (var first = Zoo.Create("deepcnn", DeepCnnOptions))
        using (var t = new Trainer(first, options with { Epochs = 1 }, DeepCnn, dir)) t.Fit(new DigitBatches(0, 300, 50));
        using var resumed = Zoo.Create("deepcnn", DeepCnnOptions with { Seed = 99 });
        using (var t = new Trainer(resumed, options, DeepCnn, dir))
        {
            t.Resume(dir);
            t.Fit(new DigitBatches(0, 300, 50));
        }
        Assert.That(TinyNets.Weights(resumed), Is.EqualTo(TinyNets.Weights(straight)));
        Assert.That(Checkpoint.ReadTrainingOptions(Path.Combine(dir, "checkpoints", "last.ckpt"))!.BackboneLearningRate, Is.EqualTo(2e-4));
    }

    [Test]
    public void InvalidBackboneRatesAreTypedErrors()
    {
        using var model = Zoo.Create("deepcnn", DeepCnnOptions);
        Assert.Throws<ArgumentException>(() => new Trainer(model, Sgd with { BackboneLearningRate = 0 }, DeepCnn));
        Assert.Throws<ArgumentException>(() => new Trainer(model, Sgd with { BackboneLearningRate = 1e-3, FreezeBackbone = true }, DeepCnn));
        using var tiny = TinyNets.Create();
        var ex = Assert.Throws<ArgumentException>(() => new Trainer(tiny, Sgd with { BackboneLearningRate = 1e-3 }, TinyNets.Descriptor));
        Assert.That(ex!.Message, Does.Contain("tinynet"));
    }

    private sealed class BeforeStepProbe(Action onStep) : ITrainingCallback
    {
        public void OnBeforeOptimizerStep(Trainer trainer) => onStep();
    }
}
