using ModelZoo.Evaluation;
using ModelZoo.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Training;

/// <summary>The loop's seams: precision policy order and state, task, evaluation loop, callbacks, process group, host reads.</summary>
[RestoresTorchThreads]
public class EngineSeamTests
{
    [Test]
    public void PolicyUnscalesBeforeHooksAndHooksRunBeforeTheStep()
    {
        using var model = TinyNets.Create();
        using var trainer = new Trainer(model, TinyNets.Options with { MaxStepsPerEpoch = 2 }, TinyNets.Descriptor);
        var calls = new List<string>();
        var policy = new RecordingPolicy(calls, model);
        trainer.Precision = policy;
        trainer.GradientHooks.Add(new OrderHook(calls));
        trainer.Fit(new DigitBatches(0, 500, 50));
        string[] step = ["forward", "scale", "unscale", "hook", "should-step"];
        Assert.That(calls, Is.EqualTo(new[] { "prepare" }.Concat(step).Concat(step)));
        Assert.That(policy.WeightsAtShouldStep[0], Is.EqualTo(policy.WeightsAtForward[0]), "no optimizer.step() before the policy decides");
        Assert.That(policy.WeightsAtForward[1], Is.Not.EqualTo(policy.WeightsAtForward[0]), "the step ran after the policy said yes");
    }

    [Test]
    public void SkippedStepLeavesWeightsUnchanged()
    {
        using var model = TinyNets.Create();
        var before = TinyNets.Weights(model);
        using var trainer = new Trainer(model, TinyNets.Options with { MaxStepsPerEpoch = 3 }, TinyNets.Descriptor);
        var calls = new List<string>();
        trainer.Precision = new RecordingPolicy(calls, model) { Step = false };
        trainer.GradientHooks.Add(new OrderHook(calls));
        var result = trainer.Fit(new DigitBatches(0, 500, 50));
        Assert.That(result.Step, Is.EqualTo(3), "a skipped step still counts (the schedule moves on)");
        Assert.That(calls.Count(c => c == "hook"), Is.EqualTo(3));
        Assert.That(TinyNets.Weights(model), Is.EqualTo(before));
    }

    [Test]
    public void PolicyStateRoundTripsThroughTheCheckpoint()
    {
        string dir = TinyNets.TempDir();
        using (var model = TinyNets.Create())
        using (var trainer = new Trainer(model, TinyNets.Options with { MaxStepsPerEpoch = 3 }, TinyNets.Descriptor, dir))
        {
            trainer.Precision = new RecordingPolicy([], model);
            trainer.Fit(new DigitBatches(0, 500, 50));
            Assert.That(trainer.Precision.GetState()["scale"], Is.EqualTo(65536.0 / 8));
        }
        using (var model = TinyNets.Create(seed: 9))
        using (var trainer = new Trainer(model, TinyNets.Options, TinyNets.Descriptor))
        {
            var fresh = new RecordingPolicy([], model);
            trainer.Precision = fresh;
            trainer.Resume(dir);
            Assert.That(fresh.GetState()["scale"], Is.EqualTo(65536.0 / 8));
        }

        // A checkpoint written before the state was recorded still loads, and leaves the policy's state alone.
        string old = Path.Combine(TinyNets.TempDir(), "old.ckpt");
        string last = Path.Combine(dir, "checkpoints", Checkpoint.LastFileName);
        var header = CheckpointFile.ReadHeader(last);
        using (var model = TinyNets.Create())
        using (var trainer = new Trainer(model, TinyNets.Options, TinyNets.Descriptor))
        using (var rng = torch.random.get_rng_state())
            CheckpointFile.Write(old, header with { PrecisionState = null }, model, trainer.Optimizer, rng);
        Assert.That(CheckpointFile.ReadHeader(old).PrecisionState, Is.Null);
        using (var model = TinyNets.Create())
        using (var trainer = new Trainer(model, TinyNets.Options, TinyNets.Descriptor))
        {
            var fresh = new RecordingPolicy([], model);
            trainer.Precision = fresh;
            trainer.Resume(old);
            Assert.That(fresh.GetState()["scale"], Is.EqualTo(65536.0));
        }
    }

    [Test]
    public void AuxiliaryHeadsAreATaskChosenWhenTheTrainerIsBuilt()
    {
        using var plain = TinyNets.Create();
        using (var t = new Trainer(plain, TinyNets.Options, TinyNets.Descriptor)) Assert.That(t.Task, Is.InstanceOf<ClassificationTask>());

        using var aux = new AuxNet();
        using var trainer = new Trainer(aux, TinyNets.Options with { LabelSmoothing = 0.1 }, TinyNets.Descriptor);
        Assert.That(trainer.Task, Is.InstanceOf<AuxiliaryHeadsTask>());
        Assert.That(((AuxiliaryHeadsTask)trainer.Task).LabelSmoothing, Is.EqualTo(0.1));

        using var scope = NewDisposeScope();
        var batch = new DigitBatches(0, 50, 50).GetEpoch(0).First();
        using (batch)
        {
            var (loss, logits) = new AuxiliaryHeadsTask().Compute(aux, batch.Images, batch.Labels);
            var (main, extras) = aux.ForwardWithAuxiliary(batch.Images);
            double expected = nn.functional.cross_entropy(main, batch.Labels).item<float>()
                + 0.3 * nn.functional.cross_entropy(extras[0], batch.Labels).item<float>();
            Assert.That(loss.item<float>(), Is.EqualTo(expected).Within(1e-5));
            Assert.That(logits.shape, Is.EqualTo(main.shape));
            var (plainLoss, _) = new ClassificationTask().Compute(aux, batch.Images, batch.Labels);
            Assert.That(plainLoss.item<float>(), Is.LessThan(loss.item<float>()), "the auxiliary loss is included");
        }
        var result = trainer.Fit(new DigitBatches(0, 200, 50));
        Assert.That(result.Step, Is.EqualTo(4));
        Assert.That(aux.AuxiliaryForwards, Is.GreaterThanOrEqualTo(4), "the trainer's steps went through the auxiliary task");
    }

    [Test]
    public void ValidationAndEvaluatorAreOneLoopWithTheSameNumbers()
    {
        using var model = TinyNets.Create();
        var val = new DigitBatches(7000, 300, 100, shuffle: false);
        using var trainer = new Trainer(model, TinyNets.Options with { MaxStepsPerEpoch = 6 }, TinyNets.Descriptor);
        var epoch = trainer.Fit(new DigitBatches(0, 500, 50), val).History[0];
        var cheap = Evaluator.Evaluate(model, val);
        var full = Evaluator.Evaluate([model], val, TinyNets.Descriptor.ClassNames);
        foreach (var report in new[] { cheap, full })
        {
            Assert.That(report.Loss, Is.EqualTo(epoch.ValidationLoss));
            Assert.That(report.Top1, Is.EqualTo(epoch.ValidationAccuracy));
            Assert.That(report.TopK, Is.EqualTo(epoch.ValidationTop5));
            Assert.That(report.Samples, Is.EqualTo(300));
        }
        Assert.That(cheap.Confusion, Is.Empty, "the cheap path collects no confusion matrix");
        Assert.That(full.Confusion.Sum(row => row.Sum()), Is.EqualTo(300));
    }

    [Test]
    public void EarlyStoppingIsACallbackThatStopsTheRun()
    {
        using var model = TinyNets.Create();
        // A learning rate this small cannot move the validation accuracy: epoch 2 does not improve.
        using var trainer = new Trainer(model, TinyNets.Options with { Epochs = 5, MaxStepsPerEpoch = 2, LearningRate = 1e-30, EarlyStopPatience = 1 }, TinyNets.Descriptor);
        var result = trainer.Fit(new DigitBatches(0, 500, 50), new DigitBatches(7000, 200, 100, shuffle: false));
        Assert.That(result.Status, Is.EqualTo(TrainingStatus.EarlyStopped));
        Assert.That(result.EpochsCompleted, Is.EqualTo(2));

        using var other = TinyNets.Create();
        using var custom = new Trainer(other, TinyNets.Options with { Epochs = 5, MaxStepsPerEpoch = 2, LearningRate = 1e-30 }, TinyNets.Descriptor);
        custom.Callbacks.Add(new EarlyStopping(1));
        Assert.That(custom.Fit(new DigitBatches(0, 500, 50), new DigitBatches(7000, 200, 100, shuffle: false)).EpochsCompleted, Is.EqualTo(2));
    }

    [Test]
    public void CustomCallbackSeesProgressAndEpochsAndCanStop()
    {
        using var model = TinyNets.Create();
        using var trainer = new Trainer(model, TinyNets.Options with { Epochs = 3, MaxStepsPerEpoch = 4 }, TinyNets.Descriptor) { ProgressInterval = 2 };
        var seen = new Recorder();
        trainer.Callbacks.Add(seen);
        var result = trainer.Fit(new DigitBatches(0, 500, 50), new DigitBatches(7000, 1000, 50, shuffle: false));
        Assert.That(result.Status, Is.EqualTo(TrainingStatus.EarlyStopped), "the recorder stops after epoch 2");
        Assert.That(result.EpochsCompleted, Is.EqualTo(2));
        Assert.That(seen.Events, Is.EqualTo(new[]
        {
            "start", "train 1 2", "train 1 4", "val 1 10", "val 1 20", "epoch 1",
            "train 2 2", "train 2 4", "val 2 10", "val 2 20", "epoch 2", "end EarlyStopped",
        }));
    }

    [Test]
    public void OnlyThePrimaryProcessWritesFiles()
    {
        string dir = Path.Combine(TinyNets.TempDir(), "run");
        using var model = TinyNets.Create();
        using var trainer = new Trainer(model, TinyNets.Options with { Epochs = 2, MaxStepsPerEpoch = 3, TensorBoard = true }, TinyNets.Descriptor, dir);
        trainer.ProcessGroup = new FakeGroup(rank: 1, samplesFactor: 1);
        var result = trainer.Fit(new DigitBatches(0, 500, 50), new DigitBatches(7000, 200, 100, shuffle: false));
        Assert.That(result.EpochsCompleted, Is.EqualTo(2));
        Assert.That(Directory.Exists(dir), Is.False, "rank 1 writes no config, metrics, TensorBoard or checkpoints");
        Assert.That(result.LastCheckpoint, Is.Null);
    }

    [Test]
    public void APeersStopRequestStopsThisRankAtTheSameStep()
    {
        string dir = Path.Combine(TinyNets.TempDir(), "run");
        using var model = TinyNets.Create();
        using var trainer = new Trainer(model, TinyNets.Options with { Epochs = 3, MaxStepsPerEpoch = 5 }, TinyNets.Descriptor, dir);
        var group = new FakeGroup(rank: 0, samplesFactor: 1, peerStopsAtVote: 4);
        trainer.ProcessGroup = group;
        // This rank's own token is never cancelled: only the agreement can stop it.
        var result = trainer.Fit(new DigitBatches(0, 500, 50));
        Assert.That(result.Status, Is.EqualTo(TrainingStatus.Interrupted));
        Assert.That(group.StopVotes, Is.EqualTo(4), "one vote per step (the first before epoch 1)");
        Assert.That(result.Step, Is.EqualTo(3));
        Assert.That(Checkpoint.ReadInfo(Path.Combine(dir, "checkpoints", "last.ckpt")).Step, Is.EqualTo(3), "last is written at the agreed step");
    }

    [Test]
    public void EpochMetricsGoThroughTheAllReduce()
    {
        double Run(IProcessGroup group, string dir, out int reduces)
        {
            using var model = TinyNets.Create();
            using var trainer = new Trainer(model, TinyNets.Options with { MaxStepsPerEpoch = 4 }, TinyNets.Descriptor, dir);
            trainer.ProcessGroup = group;
            var r = trainer.Fit(new DigitBatches(0, 500, 50));
            reduces = (group as FakeGroup)?.Calls ?? 0;
            return r.History[0].TrainLoss;
        }
        double single = Run(SingleProcessGroup.Instance, TinyNets.TempDir(), out _);
        string dir = TinyNets.TempDir();
        // A peer that saw as many samples with zero loss and no hits: the reduced means halve.
        double reduced = Run(new FakeGroup(rank: 0, samplesFactor: 2), dir, out int calls);
        Assert.That(calls, Is.EqualTo(1), "one all-reduce per epoch");
        Assert.That(reduced, Is.EqualTo(single / 2));
        string line = File.ReadAllLines(Path.Combine(dir, "metrics.jsonl"))[0];
        using var doc = System.Text.Json.JsonDocument.Parse(line);
        Assert.That(doc.RootElement.GetProperty("train_loss").GetDouble(), Is.EqualTo(single / 2), "metrics.jsonl shows the reduced mean");
    }

    [Test]
    public void LossIsReadToTheHostOnlyAtTheProgressInterval()
    {
        (long Reads, float[] Weights, double Loss) Run(int interval)
        {
            using var model = TinyNets.Create();
            using var trainer = new Trainer(model, TinyNets.Options with { MaxStepsPerEpoch = 10 }, TinyNets.Descriptor) { ProgressInterval = interval };
            var r = trainer.Fit(new DigitBatches(0, 500, 50));
            return (trainer.HostReads, TinyNets.Weights(model), r.History[0].TrainLoss);
        }
        var every = Run(1);
        var sparse = Run(5);
        Assert.That(every.Reads, Is.EqualTo(10));
        Assert.That(sparse.Reads, Is.EqualTo(2), "steps 5 and 10 (the epoch's end reuses the last read)");
        Assert.That(sparse.Weights, Is.EqualTo(every.Weights));
        Assert.That(sparse.Loss, Is.EqualTo(every.Loss));
    }

    private sealed class RecordingPolicy(List<string> calls, nn.Module model) : IPrecisionPolicy
    {
        private double _scale = 65536;

        public bool Step { get; init; } = true;
        public List<float[]> WeightsAtForward { get; } = [];
        public List<float[]> WeightsAtShouldStep { get; } = [];

        public void Prepare(nn.Module<Tensor, Tensor> m) => calls.Add("prepare");

        public (Tensor Loss, Tensor Logits) Forward(nn.Module<Tensor, Tensor> m, Tensor input, Tensor target, ITrainingTask task)
        {
            calls.Add("forward");
            WeightsAtForward.Add(TinyNets.Weights(model));
            return task.Compute(m, input, target);
        }

        public Tensor ScaleForBackward(Tensor loss)
        {
            calls.Add("scale");
            return loss;
        }

        public void Unscale(IReadOnlyList<Parameter> parameters) => calls.Add("unscale");

        public bool ShouldStep(IReadOnlyList<Parameter> parameters)
        {
            calls.Add("should-step");
            WeightsAtShouldStep.Add(TinyNets.Weights(model));
            _scale /= 2;
            return Step;
        }

        public IReadOnlyDictionary<string, double> GetState() => new Dictionary<string, double> { ["scale"] = _scale };

        public void LoadState(IReadOnlyDictionary<string, double> state) => _scale = state["scale"];
    }

    private sealed class OrderHook(List<string> calls) : IGradientHook
    {
        public void OnGradients(IReadOnlyList<Parameter> parameters, long step) => calls.Add("hook");
    }

    private sealed class Recorder : ITrainingCallback
    {
        public List<string> Events { get; } = [];
        public void OnTrainingStart(Trainer trainer) => Events.Add("start");
        public void OnProgress(Trainer trainer, TrainingProgress progress) => Events.Add($"{progress.Phase} {progress.Epoch} {progress.Batch}");
        public void OnEpochEnd(Trainer trainer, EpochMetrics metrics)
        {
            Events.Add($"epoch {metrics.Epoch}");
            if (metrics.Epoch == 2) trainer.RequestStop();
        }
        public void OnTrainingEnd(Trainer trainer, TrainingStatus? status) => Events.Add($"end {status}");
    }

    private sealed class FakeGroup(int rank, double samplesFactor, int peerStopsAtVote = int.MaxValue) : IProcessGroup
    {
        public int Calls { get; private set; }
        public int Rank => rank;
        public int WorldSize => 2;
        public bool IsPrimary => rank == 0;
        public int LocalRank => rank;

        public int StopVotes { get; private set; }

        public void AllReduceSum(double[] values)
        {
            if (values.Length == 1)
            {
                StopVotes++; // the per-step stop agreement
                if (StopVotes >= peerStopsAtVote) values[0] += 1; // the peer was interrupted
                return;
            }
            Calls++;
            values[2] *= samplesFactor;
        }

        public void AllReduceSum(Tensor tensor) => throw new NotSupportedException();
        public void Broadcast(Tensor tensor, int root = 0) => throw new NotSupportedException();
        public void Barrier() { }
    }

    /// <summary>GoogLeNet-like: a main head and one auxiliary head (weight 0.3) in training mode.</summary>
    private sealed class AuxNet : nn.Module<Tensor, Tensor>, IAuxiliaryLogits
    {
        private readonly Linear _main = nn.Linear(784, 10);
        private readonly Linear _aux = nn.Linear(784, 10);

        public AuxNet() : base("auxnet")
        {
            torch.manual_seed(5);
            RegisterComponents();
        }

        public int AuxiliaryForwards { get; private set; }
        public bool HasAuxiliaryLogits => true;
        public double AuxiliaryLossWeight => 0.3;

        public override Tensor forward(Tensor input) => _main.forward(input.flatten(1));

        public (Tensor Logits, Tensor[] Auxiliary) ForwardWithAuxiliary(Tensor input)
        {
            AuxiliaryForwards++;
            var x = input.flatten(1);
            return (_main.forward(x), [_aux.forward(x)]);
        }
    }
}
