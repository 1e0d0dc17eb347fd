using ModelZoo.Blocks;
using ModelZoo.Blocks.Binary;
using ModelZoo.Data;
using ModelZoo.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Training;

/// <summary>
/// The loop's events and seams (issue 24): one step order, the schedule stepped after the optimiser step, callbacks
/// that keep state in the checkpoint, the checkpoint and early-stopping callbacks owning the monitored score, binary
/// latent-weight clipping as an after-step event.
/// </summary>
[RestoresTorchThreads]
public class OpenLoopTests
{
    private sealed class Order(List<string> calls) : ITrainingCallback, IGradientHook
    {
        public void OnGradients(IReadOnlyList<Parameter> parameters, long step) => calls.Add($"hook {step}");
        public void OnBeforeOptimizerStep(Trainer trainer) => calls.Add($"before {trainer.Step}");
        public void OnAfterOptimizerStep(Trainer trainer) => calls.Add($"after {trainer.Step}");
        public void OnStepEnd(Trainer trainer, StepEnd step) => calls.Add($"end {step.Step} {(step.Loss is null ? "-" : "loss")}");
        public void OnValidationEnd(Trainer trainer, ModelZoo.Evaluation.EvaluationReport report, bool ema) => calls.Add(ema ? "val-ema" : "val");
        public void OnEpochCompleted(Trainer trainer) => calls.Add($"completed {trainer.CallbackMetrics.ContainsKey("val_acc")}");
    }

    [Test]
    public void EveryStepRunsHooksThenTheEventsInTheOneOrder()
    {
        var calls = new List<string>();
        using var model = TinyNets.Create();
        using var trainer = new Trainer(model, TinyNets.Options with { Epochs = 1, MaxStepsPerEpoch = 3, ClipGradNorm = 1.0 }, TinyNets.Descriptor) { ProgressInterval = 2 };
        var order = new Order(calls);
        trainer.GradientHooks.Insert(0, order);
        trainer.Callbacks.Add(order);
        trainer.Fit(new DigitBatches(0, 500, 50), new DigitBatches(7000, 100, 100, shuffle: false));
        Assert.That(trainer.GradientHooks[^1], Is.SameAs(trainer.Clipping), "clipping is the last gradient hook");
        Assert.That(calls, Is.EqualTo(new[]
        {
            "hook 0", "before 0", "after 1", "end 1 -",
            "hook 1", "before 1", "after 2", "end 2 loss",
            "hook 2", "before 2", "after 3", "end 3 loss",
            "val", "completed True",
        }), "the loss is read at the progress interval (step 2) and the epoch's end (step 3)");
    }

    private sealed class Rates(List<(long Step, double Rate)> rates) : ITrainingCallback
    {
        public void OnBeforeOptimizerStep(Trainer trainer) => rates.Add((trainer.Step, trainer.Optimizer.ParamGroups.First().LearningRate));
    }

    private sealed class Halving : ILearningRateSchedule
    {
        public double At(long step) => 0.1 / (1L << (int)Math.Min(step, 20));
    }

    [Test]
    public void TheScheduleIsASeamSteppedAfterEveryStep()
    {
        var rates = new List<(long, double)>();
        using var model = TinyNets.Create();
        using var trainer = new Trainer(model, TinyNets.Options with { Epochs = 2, MaxStepsPerEpoch = 3 }, TinyNets.Descriptor) { Schedule = new Halving() };
        trainer.Callbacks.Add(new Rates(rates));
        var result = trainer.Fit(new DigitBatches(0, 500, 50));
        Assert.That(rates, Is.EqualTo(Enumerable.Range(0, 6).Select(s => ((long)s, 0.1 / (1L << s)))), "step s runs at the schedule's rate for s");
        Assert.That(result.History[^1].LearningRate, Is.EqualTo(0.1 / 32), "metrics report the last step's rate");
    }

    [Test]
    public void BestScoreAndEarlyStoppingLiveInTheirCallbacksAndSurviveAResume()
    {
        // Early stopping with patience 2 at a rate so small that nothing improves after the first epoch.
        var options = TinyNets.Options with { Epochs = 8, LearningRate = 1e-9, Optimizer = OptimizerKind.Sgd, EarlyStopPatience = 2 };
        string straightDir = TinyNets.TempDir();
        TrainingResult straight;
        using (var model = TinyNets.Create())
        using (var trainer = new Trainer(model, options, TinyNets.Descriptor, straightDir))
            straight = trainer.Fit(new DigitBatches(0, 300, 50), new DigitBatches(7000, 100, 100, shuffle: false));

        string dir = TinyNets.TempDir();
        using (var model = TinyNets.Create())
        using (var trainer = new Trainer(model, options with { Epochs = 2 }, TinyNets.Descriptor, dir))
            trainer.Fit(new DigitBatches(0, 300, 50), new DigitBatches(7000, 100, 100, shuffle: false));
        TrainingResult resumed;
        using (var model = TinyNets.Create(seed: 5))
        using (var trainer = new Trainer(model, options, TinyNets.Descriptor, dir))
        {
            trainer.Resume(dir);
            resumed = trainer.Fit(new DigitBatches(0, 300, 50), new DigitBatches(7000, 100, 100, shuffle: false));
            Assert.That(trainer.EarlyStopping!.Patience, Is.EqualTo(2));
        }
        Assert.That((resumed.Status, resumed.EpochsCompleted, resumed.BestEpoch), Is.EqualTo((straight.Status, straight.EpochsCompleted, straight.BestEpoch)),
            "the resumed run stops at the same epoch and knows the same best epoch: both came from the checkpoint");
        Assert.That(resumed.BestValidationAccuracy, Is.EqualTo(straight.BestValidationAccuracy));
    }

    [Test]
    public void LatentWeightsAreClippedAfterEveryStepByTheLoop()
    {
        using var scope = NewDisposeScope();
        // Layers that do not clip in their forward pass: only the loop's after-step event keeps them in range.
        var noClip = BinaryLayers.Factory(new BinaryLayerOptions { ClipLatentInForward = false }, s => s.InChannels > 1, s => s.InFeatures > 64);
        using var model = Zoo.Create("deepcnn", new ModelOptions { Layers = noClip, Seed = 3 });
        var options = TinyNets.Options with { Epochs = 1, MaxStepsPerEpoch = 4, Optimizer = OptimizerKind.Sgd, LearningRate = 50.0 };
        var descriptor = TinyNets.Descriptor with { ModelName = "deepcnn", ModelOptions = new ModelOptions { Seed = 3 } };
        var extremes = new List<double>();
        using var trainer = new Trainer(model, options, descriptor);
        trainer.Callbacks.Add(new AfterStep(t => extremes.Add(BinaryLayers.Find(t.Model).Max(b => b.Layer.LatentWeight.abs().max().item<float>()))));
        trainer.Fit(new DigitBatches(0, 400, 50));
        Assert.That(BinaryLayers.Find(model), Is.Not.Empty);
        Assert.That(extremes, Has.Count.EqualTo(4));
        Assert.That(extremes, Has.All.LessThanOrEqualTo(1.0), "the built-in clipping ran before this callback's after-step event");
    }

    private sealed class AfterStep(Action<Trainer> action) : ITrainingCallback
    {
        public void OnAfterOptimizerStep(Trainer trainer) => action(trainer);
    }
}
