using ModelZoo.Data;
using ModelZoo.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Training;

/// <summary>Issue 17's training techniques in the library: clipping, accumulation, no-decay groups, model EMA, mixup/CutMix, resume with all of them.</summary>
[TestFixture]
[RestoresTorchThreads]
public sealed class RecipeTechniqueTests
{
    private static readonly ModelOptions DeepCnnOptions = new() { NumClasses = 10, InChannels = 1, Dropout = 0.25, Seed = 5 };

    private static ModelDescriptor DeepCnn => new("deepcnn", DeepCnnOptions,
        Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(),
        Normalization.Mnist, 1, 28, "mnist-sample");

    private static TrainingOptions Sgd => TinyNets.Options with { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05 };

    /// <summary>Every batch of <see cref="DigitBatches"/> as float64.</summary>
    private sealed class Float64Batches(DigitBatches inner) : IBatchSource
    {
        public int SamplesPerEpoch => inner.SamplesPerEpoch;
        public int BatchesPerEpoch => inner.BatchesPerEpoch;
        public IEnumerable<Batch> GetEpoch(int epoch, CancellationToken cancellationToken = default)
        {
            foreach (var b in inner.GetEpoch(epoch, cancellationToken))
            {
                var x = b.Images.to_type(ScalarType.Float64);
                var y = b.Labels.alias();
                var idx = b.Indices;
                b.Dispose();
                yield return new Batch(x, y, idx);
            }
        }
    }

    private sealed class WeightRecorder(nn.Module model) : IGradientHook
    {
        public List<double[]> Before { get; } = [];

        public void OnGradients(IReadOnlyList<Parameter> parameters, long step) => Before.Add(Flat(model));
    }

    private static double[] Flat(nn.Module model)
    {
        using var scope = NewDisposeScope();
        return model.state_dict().Values.Where(t => t.is_floating_point())
            .SelectMany(t => t.detach().cpu().to_type(ScalarType.Float64).flatten().data<double>().ToArray()).ToArray();
    }

    private static double[] Flat(IReadOnlyDictionary<string, Tensor> state, nn.Module model)
    {
        using var scope = NewDisposeScope();
        return model.state_dict().Where(kv => kv.Value.is_floating_point())
            .SelectMany(kv => state[kv.Key].detach().cpu().to_type(ScalarType.Float64).flatten().data<double>().ToArray()).ToArray();
    }

    private static double Norm(IEnumerable<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        return Math.Sqrt(parameters.Where(p => p.grad is not null).Sum(p => p.grad!.pow(2).sum().item<float>()));
    }

    [Test]
    public void ClippingByNormBoundsTheTotalNormAndByValueEveryElement()
    {
        using var model = TinyNets.Create(dropout: 0);
        var parameters = model.parameters().ToList();
        using (var x = randn(8, 1, 28, 28) * 50)
        using (var loss = model.forward(x).pow(2).sum()) loss.backward();
        double before = Norm(parameters);
        Assert.That(before, Is.GreaterThan(10), "the test's gradients must be large enough to be clipped");
        var clip = new GradientClipping(maxNorm: 1.0, maxValue: null);
        clip.OnGradients(parameters, 0);
        Assert.That(clip.LastNorm, Is.EqualTo(before).Within(before * 1e-4));
        Assert.That(Norm(parameters), Is.LessThanOrEqualTo(1.0 + 1e-4).And.GreaterThan(0.999));

        new GradientClipping(null, 1e-3).OnGradients(parameters, 0);
        foreach (var p in parameters)
            Assert.That(p.grad!.abs().max().item<float>(), Is.LessThanOrEqualTo(1e-3f + 1e-9f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientClipping(0, null));
        Assert.Throws<ArgumentException>(() => (TinyNets.Options with { ClipGradValue = -1 }).EnsureValid());
    }

    [Test]
    public void TheTrainerClipsAfterItsHooksBeforeTheStep()
    {
        // SGD without momentum: a step moves the weights by lr x gradient, so |delta w| <= lr x max norm proves clipping ran.
        using var model = TinyNets.Create(dropout: 0);
        var recorder = new WeightRecorder(model);
        using var trainer = new Trainer(model, Sgd with { LearningRate = 1.0, ClipGradNorm = 1e-3, MaxStepsPerEpoch = 3 }, TinyNets.Descriptor);
        trainer.GradientHooks.Add(recorder);
        trainer.Fit(new DigitBatches(0, 300, 50));
        var steps = recorder.Before.Append(Flat(model)).ToList();
        for (int i = 1; i < steps.Count; i++)
        {
            double delta = Math.Sqrt(steps[i].Zip(steps[i - 1], (a, b) => (a - b) * (a - b)).Sum());
            Assert.That(delta, Is.LessThanOrEqualTo(1e-3 * (1 + 1e-3)).And.GreaterThan(0), $"step {i}");
        }
        Assert.That(trainer.Clipping!.LastNorm, Is.GreaterThan(1e-3), "the raw gradient norm was above the limit");
    }

    [Test]
    public void AccumulatingKMicroBatchesEqualsOneBatchKTimesLarger()
    {
        var options = Sgd with { LearningRate = 0.1, Schedule = ScheduleKind.Cosine, Epochs = 2, Momentum = 0.9, Optimizer = OptimizerKind.Momentum };
        using var big = TinyNets.Create(dropout: 0);
        big.to(ScalarType.Float64);
        using var small = TinyNets.Create(dropout: 0);
        small.to(ScalarType.Float64);
        Assert.That(Flat(small), Is.EqualTo(Flat(big)));
        var lrs = new List<double>[] { [], [] };
        using (var t = new Trainer(big, options with { BatchSize = 50 }, TinyNets.Descriptor))
        {
            t.Callbacks.Add(new TrainerTests.EpochProbe(() => lrs[0].Add(t.LearningRate)));
            t.Fit(new Float64Batches(new DigitBatches(0, 300, 50)));
            Assert.That(t.Step, Is.EqualTo(12));
        }
        using (var t = new Trainer(small, options with { BatchSize = 25, AccumulationSteps = 2 }, TinyNets.Descriptor))
        {
            t.Callbacks.Add(new TrainerTests.EpochProbe(() => lrs[1].Add(t.LearningRate)));
            t.Fit(new Float64Batches(new DigitBatches(0, 300, 25)));
            Assert.That(t.Step, Is.EqualTo(12), "the step counts optimiser steps, not micro-batches");
        }
        Assert.That(lrs[1], Is.EqualTo(lrs[0]), "the schedule counts optimiser steps");
        var a = Flat(big);
        var b = Flat(small);
        Assert.That(b.Zip(a, (x, y) => Math.Abs(x - y)).Max(), Is.LessThan(1e-10));
        Assert.That(b, Is.Not.EqualTo(Flat(TinyNets.Create(dropout: 0))), "the weights moved");
    }

    [Test]
    public void AnUnevenEpochEndsWithAShorterAccumulationAndMaxStepsCountsSteps()
    {
        using var model = TinyNets.Create();
        using var t = new Trainer(model, Sgd with { AccumulationSteps = 4 }, TinyNets.Descriptor);
        var source = new DigitBatches(0, 300, 50);   // 6 batches: steps of 4 and 2
        t.Fit(source);
        Assert.That(t.Step, Is.EqualTo(2));
        using var capped = new Trainer(TinyNets.Create(), Sgd with { AccumulationSteps = 2, MaxStepsPerEpoch = 2 }, TinyNets.Descriptor);
        capped.Fit(source);
        Assert.That(capped.Step, Is.EqualTo(2));
    }

    [Test]
    public void NoDecayPutsBiasesAndNormParametersInAGroupWithoutWeightDecay()
    {
        using var model = Zoo.Create("resnet18", new ModelOptions { NumClasses = 10, InChannels = 1 });
        var options = Sgd with { WeightDecay = 1e-4, NoDecayNormAndBias = true };
        using (var t = new Trainer(model, options, DeepCnn with { ModelName = "resnet18" }))
        {
            Assert.That(t.ParameterGroups.Select(g => g.Name), Is.EqualTo(new[] { "all", "all-no-decay" }));
            Assert.That(t.ParameterGroups[0].WeightDecay, Is.EqualTo(1e-4));
            Assert.That(t.ParameterGroups[1].WeightDecay, Is.EqualTo(0));
            Assert.That(t.ParameterGroups[1].Parameters, Has.All.Matches<Parameter>(p => p.dim() <= 1));
            Assert.That(t.ParameterGroups[0].Parameters, Has.All.Matches<Parameter>(p => p.dim() > 1));
            var noDecay = t.ParameterGroups[1].Parameters.ToHashSet();
            var bnAndBias = model.named_parameters().Where(p => p.name.Contains("bn") || p.name.EndsWith(".bias", StringComparison.Ordinal) || p.name.Contains("downsample.1")).Select(p => p.parameter).ToList();
            Assert.That(bnAndBias, Is.Not.Empty);
            Assert.That(bnAndBias, Has.All.Matches<Parameter>(p => noDecay.Contains(p)));
            Assert.That(t.Optimizer.ParamGroups.Count(), Is.EqualTo(2));
        }
        using (var t = new Trainer(model, options with { BackboneLearningRate = 1e-3 }, DeepCnn with { ModelName = "resnet18" }))
        {
            Assert.That(t.ParameterGroups.Select(g => (g.Name, g.WeightDecay)), Is.EqualTo(new[]
            {
                ("backbone", 1e-4), ("backbone-no-decay", 0.0), ("head", 1e-4), ("head-no-decay", 0.0),
            }));
            Assert.That(t.ParameterGroups[1].LearningRateScale, Is.EqualTo(t.ParameterGroups[0].LearningRateScale));
            Assert.That(t.ParameterGroups[3].Parameters.Single().dim(), Is.EqualTo(1), "fc.bias");
        }
    }

    [Test]
    public void NoDecayLeavesBiasesUndecayed()
    {
        // With zero gradients (lr irrelevant) plain SGD weight decay shrinks every weight; without decay on biases they stay.
        using var model = TinyNets.Create(dropout: 0);
        var options = Sgd with { LearningRate = 0.5, WeightDecay = 0.5, NoDecayNormAndBias = true };
        using var t = new Trainer(model, options, TinyNets.Descriptor);
        var biasGroup = t.ParameterGroups.Single(g => g.Name == "all-no-decay");
        Assert.That(biasGroup.Parameters, Has.Count.EqualTo(2), "conv.bias and fc.bias");
        using var before = biasGroup.Parameters[0].detach().clone();
        using var weightBefore = t.ParameterGroups[0].Parameters[0].detach().clone();
        t.Optimizer.zero_grad();
        foreach (var p in model.parameters())
            using (var z = zeros_like(p)) p.grad = z.clone();
        t.Optimizer.step();
        Assert.That(biasGroup.Parameters[0].detach().allclose(before), Is.True, "bias not decayed");
        Assert.That(t.ParameterGroups[0].Parameters[0].detach().allclose(weightBefore), Is.False, "weight decayed");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void TheEmaAfterKStepsIsTheClosedForm(bool warmup)
    {
        const double decay = 0.9;
        using var model = TinyNets.Create(dropout: 0);
        var recorder = new WeightRecorder(model);
        using var trainer = new Trainer(model, Sgd with { EmaDecay = decay, EmaWarmup = warmup, MaxStepsPerEpoch = 5 }, TinyNets.Descriptor);
        trainer.GradientHooks.Add(recorder);
        trainer.Fit(new DigitBatches(0, 300, 50));
        var w = recorder.Before.Append(Flat(model)).ToList();    // w[0] before step 1, w[t] after step t
        int k = w.Count - 1;
        Assert.That(k, Is.EqualTo(5));
        // e_0 = w_0; e_t = d_t e_{t-1} + (1 - d_t) w_t.  Closed form: e_k = (prod d) w_0 + sum_t (1 - d_t) prod_{s>t} d_s w_t.
        double[] d = Enumerable.Range(1, k).Select(t => warmup ? Math.Min(decay, t == 1 ? 0 : 1 - Math.Pow(t, -2.0 / 3)) : decay).ToArray();
        var expected = new double[w[0].Length];
        for (int i = 0; i < expected.Length; i++)
        {
            double prodAll = d.Aggregate(1.0, (a, b) => a * b);
            double e = prodAll * w[0][i];
            for (int t = 1; t <= k; t++)
            {
                double tail = 1;
                for (int s = t + 1; s <= k; s++) tail *= d[s - 1];
                e += (1 - d[t - 1]) * tail * w[t][i];
            }
            expected[i] = e;
        }
        var actual = Flat(trainer.Ema!.State, model);
        Assert.That(actual.Zip(expected, (a, b) => Math.Abs(a - b)).Max(), Is.LessThan(1e-6));
        Assert.That(actual.Zip(w[k], (a, b) => Math.Abs(a - b)).Max(), Is.GreaterThan(1e-5), "the average differs from the raw model");
        Assert.That(trainer.Ema.DecayAt(1), Is.EqualTo(warmup ? 0 : decay));
        if (warmup) Assert.That(trainer.Ema.DecayAt(3), Is.EqualTo(1 - Math.Pow(3, -2.0 / 3)).Within(1e-15));
    }

    [Test]
    public void TheEmaCopiesBuffersIsValidatedEachEpochAndIsSavedInCheckpoints()
    {
        using var model = Zoo.Create("resnet18", new ModelOptions { NumClasses = 10, InChannels = 1 });
        string dir = TinyNets.TempDir();
        var descriptor = DeepCnn with { ModelName = "resnet18", ModelOptions = new ModelOptions { NumClasses = 10, InChannels = 1 } };
        var raw = new List<double>();
        using (var t = new Trainer(model, Sgd with { EmaDecay = 0.5, MaxStepsPerEpoch = 2 }, descriptor, dir))
        {
            var result = t.Fit(new DigitBatches(0, 300, 50), new DigitBatches(300, 100, 50, shuffle: false));
            var m = result.History.Single();
            Assert.That(m.ValidationAccuracyEma, Is.Not.Null);
            Assert.That(m.ValidationLossEma, Is.Not.EqualTo(m.ValidationLoss), "EMA and raw model are evaluated separately");
            var live = model.state_dict();
            foreach (var name in live.Keys.Where(n => n.Contains("running_mean") || n.Contains("num_batches_tracked")))
                Assert.That(t.Ema!.State[name].eq(live[name]).all().item<bool>(), Is.True, name + " is copied, not averaged");
            raw.AddRange(Flat(t.Ema!.State, model));
            string line = File.ReadAllLines(Path.Combine(dir, "metrics.jsonl")).Single();
            Assert.That(line, Does.Contain("\"val_acc_ema\":"));
        }
        string ckpt = Path.Combine(dir, "checkpoints", "last.ckpt");
        Assert.That(Checkpoint.HasEma(ckpt), Is.True);
        var (emaModel, _) = Checkpoint.LoadModel(ckpt, ema: true);
        using (emaModel) Assert.That(Flat(emaModel), Is.EqualTo(raw));
        var (plain, _) = Checkpoint.LoadModel(ckpt);
        using (plain) Assert.That(Flat(plain), Is.EqualTo(Flat(model)));

        string noEma = TinyNets.TempDir();
        using (var m2 = TinyNets.Create())
        using (var t = new Trainer(m2, Sgd with { MaxStepsPerEpoch = 1 }, TinyNets.Descriptor, noEma)) t.Fit(new DigitBatches(0, 300, 50));
        Assert.That(Checkpoint.HasEma(noEma), Is.False);
        using var m3 = TinyNets.Create();
        using var t3 = new Trainer(m3, Sgd with { MaxStepsPerEpoch = 1, EmaDecay = 0.9 }, TinyNets.Descriptor, noEma);
        Assert.Throws<CheckpointException>(() => t3.Resume(noEma));
    }

    [Test]
    public void MixupTargetsSumToOneAndMatchLambda()
    {
        var mixing = new BatchMixing(10, mixupAlpha: 0.4, cutMixAlpha: 0, labelSmoothing: 0.1);
        using var x = randn(6, 1, 8, 8);
        using var y = tensor(new long[] { 0, 1, 2, 3, 4, 5 });
        var seen = new HashSet<double>();
        for (int step = 0; step < 20; step++)
        {
            using var scope = NewDisposeScope();
            var m = mixing.Mix(x, y, seed: 3, step);
            seen.Add(m.Lambda);
            Assert.That(m.UsedCutMix, Is.False);
            var sums = m.Targets.sum(1).data<float>().ToArray();
            Assert.That(sums, Has.All.EqualTo(1f).Within(1e-5f));
            double off = 0.1 / 10, on = 1 - 0.1 + off;
            var t = m.Targets.data<float>().ToArray();
            for (int i = 0; i < 6; i++)
            {
                Assert.That(t[i * 10 + i], Is.EqualTo(m.Lambda * on + (1 - m.Lambda) * off).Within(1e-5), "own label");
                Assert.That(t[i * 10 + (5 - i)], Is.EqualTo(m.Lambda * off + (1 - m.Lambda) * on).Within(1e-5), "partner's label");
            }
            using var expected = x * m.Lambda + x.flip(0) * (1 - m.Lambda);
            Assert.That(m.Images.allclose(expected, 1e-5, 1e-6), Is.True);
            var again = mixing.Mix(x, y, seed: 3, step);
            Assert.That(again.Lambda, Is.EqualTo(m.Lambda), "the same (seed, step) mixes the same");
        }
        Assert.That(seen, Has.Count.GreaterThan(10), "lambda is drawn per step");
        Assert.That(seen, Has.All.InRange(0.0, 1.0));
    }

    [Test]
    public void CutMixLambdaIsOneMinusTheClippedBoxArea()
    {
        var mixing = new BatchMixing(10, mixupAlpha: 0, cutMixAlpha: 1.0);
        using var x = arange(4 * 3 * 20 * 24, dtype: ScalarType.Float32).reshape(4, 3, 20, 24);
        using var y = tensor(new long[] { 7, 1, 2, 3 });
        int clipped = 0;
        for (int step = 0; step < 40; step++)
        {
            using var scope = NewDisposeScope();
            var m = mixing.Mix(x, y, seed: 11, step);
            Assert.That(m.UsedCutMix, Is.True);
            var (top, bottom, left, right) = m.Box!.Value;
            double area = (bottom - top) * (double)(right - left);
            Assert.That(m.Lambda, Is.EqualTo(1 - area / (20 * 24)).Within(1e-12));
            if (top == 0 || left == 0 || bottom == 20 || right == 24) clipped++;
            // Inside the box: the flipped batch's pixels; outside: the image's own.
            using var inside = x.flip(0)[.., .., top..bottom, left..right];
            Assert.That(m.Images[.., .., top..bottom, left..right].eq(inside).all().item<bool>(), Is.True);
            using var changed = m.Images.ne(x).sum();
            Assert.That(changed.item<long>(), Is.EqualTo((long)(area * 3 * 4)), "only the box changes (no two images are equal)");
            Assert.That(m.Targets[0, 7].item<float>(), Is.EqualTo((float)m.Lambda).Within(1e-6));
            Assert.That(m.Targets[0, 3].item<float>(), Is.EqualTo((float)(1 - m.Lambda)).Within(1e-6));
        }
        Assert.That(clipped, Is.GreaterThan(0), "some boxes were clipped at the border (lambda corrected)");
    }

    [Test]
    public void MixProbabilityAndSwitchProbabilityChooseTheMode()
    {
        var never = new BatchMixing(10, 1, 1, mixProbability: 0);
        var cut = new BatchMixing(10, 1, 1, switchProbability: 1);
        var mix = new BatchMixing(10, 1, 1, switchProbability: 0);
        using var x = randn(4, 1, 8, 8);
        using var y = tensor(new long[] { 0, 1, 2, 3 });
        for (int s = 0; s < 10; s++)
        {
            using var scope = NewDisposeScope();
            Assert.That(never.Mix(x, y, 1, s).Lambda, Is.EqualTo(1.0));
            Assert.That(cut.Mix(x, y, 1, s).UsedCutMix, Is.True);
            Assert.That(mix.Mix(x, y, 1, s).UsedCutMix, Is.False);
        }
    }

    [Test]
    public void ResumeIsExactWithEveryTechniqueOn()
    {
        var options = TinyNets.Options with
        {
            Optimizer = OptimizerKind.AdamW, LearningRate = 2e-3, WeightDecay = 0.05, NoDecayNormAndBias = true,
            Schedule = ScheduleKind.Cosine, WarmupEpochs = 0.5, LabelSmoothing = 0.1,
            ClipGradNorm = 1.0, ClipGradValue = 0.5, AccumulationSteps = 2, EmaDecay = 0.99, EmaWarmup = true,
            MixupAlpha = 0.8, CutMixAlpha = 1.0, MixProbability = 0.9, MixSwitchProbability = 0.5,
            MaxStepsPerEpoch = 3, Epochs = 2, BatchSize = 25,
        };
        var train = new DigitBatches(0, 300, 25);
        var val = new DigitBatches(300, 50, 25, shuffle: false);
        double[] straightEma;
        using var straight = Zoo.Create("deepcnn", DeepCnnOptions);
        using (var t = new Trainer(straight, options, DeepCnn))
        {
            t.Fit(train, val);
            straightEma = Flat(t.Ema!.State, straight);
        }

        string dir = TinyNets.TempDir();
        using (var first = Zoo.Create("deepcnn", DeepCnnOptions))
        using (var t = new Trainer(first, options with { Epochs = 1 }, DeepCnn, dir)) t.Fit(train, val);
        using var resumed = Zoo.Create("deepcnn", DeepCnnOptions with { Seed = 99 });
        using (var t = new Trainer(resumed, options, DeepCnn, dir))
        {
            t.Resume(dir);
            t.Fit(train, val);
            Assert.That(Flat(t.Ema!.State, resumed), Is.EqualTo(straightEma), "the EMA resumes exactly");
        }
        Assert.That(TinyNets.Weights(resumed), Is.EqualTo(TinyNets.Weights(straight)));
        var recorded = RunConfiguration.Load(dir).Training;
        Assert.That(recorded with { Epochs = options.Epochs }, Is.EqualTo(options), "every option is in config.json");
        Assert.That(Checkpoint.ReadTrainingOptions(dir), Is.EqualTo(options));
    }

    /// <summary>Cancels <paramref name="cts"/> as it hands out batch <paramref name="at"/> of the first epoch.</summary>
    private sealed class CancelAt(IBatchSource inner, int at, CancellationTokenSource cts) : IBatchSource
    {
        public int SamplesPerEpoch => inner.SamplesPerEpoch;
        public int BatchesPerEpoch => inner.BatchesPerEpoch;
        public IEnumerable<Batch> GetEpoch(int epoch, CancellationToken cancellationToken = default)
        {
            int i = 0;
            foreach (var b in inner.GetEpoch(epoch, cancellationToken))
            {
                if (epoch == 0 && i++ == at) cts.Cancel();
                yield return b;
            }
        }
    }

    [Test]
    public void AnInterruptionBetweenMicroBatchesResumesExactly()
    {
        // Accumulation 2 over 6 batches: cancelled while the third batch (the first half of step 2) trains, the run
        // stops at the last whole step (batch 2 of the epoch) and the resumed run redoes the half step.
        var options = TinyNets.Options with { AccumulationSteps = 2, EmaDecay = 0.9, MixupAlpha = 0.5, CutMixAlpha = 1, Epochs = 2 };
        using var straight = TinyNets.Create();
        using (var t = new Trainer(straight, options, TinyNets.Descriptor)) t.Fit(new DigitBatches(0, 300, 50));

        string dir = TinyNets.TempDir();
        using var cts = new CancellationTokenSource();
        using (var model = TinyNets.Create())
        using (var t = new Trainer(model, options, TinyNets.Descriptor, dir) { ProgressInterval = 1 })
        {
            var result = t.Fit(new CancelAt(new DigitBatches(0, 300, 50), 2, cts), null, cts.Token);
            Assert.That(result.Status, Is.EqualTo(TrainingStatus.Interrupted));
            Assert.That(t.Step, Is.EqualTo(1), "the half-accumulated step was not taken");
        }
        using var resumed = TinyNets.Create(seed: 99);
        using (var t = new Trainer(resumed, options, TinyNets.Descriptor, dir))
        {
            t.Resume(dir);
            Assert.That(t.Step, Is.EqualTo(1));
            t.Fit(new DigitBatches(0, 300, 50));
            Assert.That(t.Step, Is.EqualTo(6));
        }
        Assert.That(TinyNets.Weights(resumed), Is.EqualTo(TinyNets.Weights(straight)));
    }

    [Test, Category("Slow")]
    [TestCaseSource(typeof(EveryModelTrainsTests), nameof(EveryModelTrainsTests.Models))]
    public void EveryZooModelTrainsWithEveryTechnique(string name)
    {
        var modelOptions = new ModelOptions { NumClasses = 10, InChannels = 1, Seed = 1 };
        using var model = Zoo.Create(name, modelOptions);
        var options = TinyNets.Options with
        {
            Optimizer = OptimizerKind.Momentum, LearningRate = 1e-3, WeightDecay = 1e-4, NoDecayNormAndBias = true, BackboneLearningRate = 5e-4,
            ClipGradNorm = 1, ClipGradValue = 1, AccumulationSteps = 2, EmaDecay = 0.9, EmaWarmup = true,
            MixupAlpha = 0.8, CutMixAlpha = 1, LabelSmoothing = 0.1, MaxStepsPerEpoch = 1, BatchSize = 4, Threads = null,
        };
        using var trainer = new Trainer(model, options, DeepCnn with { ModelName = name, ModelOptions = modelOptions });
        Assert.That(trainer.ParameterGroups.Select(g => g.Name), Does.Contain("backbone-no-decay"));
        var result = trainer.Fit(new DigitBatches(0, 16, 4), new DigitBatches(300, 8, 4, shuffle: false));
        Assert.That(result.Step, Is.EqualTo(1));
        Assert.That(result.History[0].ValidationAccuracyEma, Is.Not.Null);
        Assert.That(double.IsFinite(result.History[0].TrainLoss), name);
    }
}
