using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelZoo.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// The training engine: one training loop and one evaluation loop, used by the CLI, the tests and library users.
/// Each step: forward (through <see cref="Precision"/>) -> loss -> backward -> <see cref="GradientHooks"/> ->
/// optimiser step -> schedule. With a <see cref="RunDirectory"/> it writes config.json, metrics.jsonl, TensorBoard
/// events and the checkpoints <c>last</c> and <c>best</c>.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly List<Parameter> _parameters;
    private readonly OptimizerHelper _optimizer;
    private CheckpointHeader? _resumed;
    private string? _resumedFrom;
    private bool _disposed;

    /// <summary>Creates a trainer for <paramref name="model"/> (moved to <see cref="TrainingOptions.Device"/>).</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="options">Training options.</param>
    /// <param name="descriptor">Model and data identity recorded in checkpoints.</param>
    /// <param name="runDirectory">Where run files go; null writes nothing.</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    /// <exception cref="DeviceUnavailableException">The device is not available.</exception>
    public Trainer(nn.Module<Tensor, Tensor> model, TrainingOptions options, ModelDescriptor descriptor, string? runDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(descriptor);
        options.EnsureValid();
        TorchRuntime.PrepareFor(model);
        Model = model;
        Options = options;
        Descriptor = descriptor;
        RunDirectory = runDirectory is null ? null : Path.GetFullPath(runDirectory);
        Device = DeviceSelector.Resolve(options.Device);
        if (options.Threads is int threads) torch.set_num_threads(threads);
        Model.to(Device);
        _parameters = Model.parameters().Where(p => p.requires_grad).ToList();
        if (_parameters.Count == 0) throw new ArgumentException("the model has no trainable parameters");
        _optimizer = OptimizerFactory.Create(_parameters, options);
    }

    /// <summary>The model being trained.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The options.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Model and data identity, recorded in checkpoints.</summary>
    public ModelDescriptor Descriptor { get; }

    /// <summary>The run folder, or null when nothing is written.</summary>
    public string? RunDirectory { get; }

    /// <summary>The device training runs on.</summary>
    public Device Device { get; }

    /// <summary>Hooks run between backward and the optimiser step (e.g. a data-parallel all-reduce), in order.</summary>
    public IList<IGradientHook> GradientHooks { get; } = new List<IGradientHook>();

    /// <summary>Wraps the forward pass and the loss (mixed precision slot); float32 by default.</summary>
    public IPrecisionPolicy Precision { get; set; } = FullPrecisionPolicy.Instance;

    /// <summary>Observers of the run, called after the built-in run-directory writers.</summary>
    public IList<ITrainingCallback> Callbacks { get; } = new List<ITrainingCallback>();

    /// <summary>Receives progress every <see cref="TrainingOptions.ProgressInterval"/> steps and at each epoch's end.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Extra entries for config.json (data options such as augmentation, image size, validation split).</summary>
    public IDictionary<string, object?> ConfigExtras { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Epochs completed (counting those before a resume).</summary>
    public int EpochsCompleted { get; private set; }

    /// <summary>Optimiser steps taken (counting those before a resume).</summary>
    public long Step { get; private set; }

    /// <summary>The learning rate of the last step.</summary>
    public double LearningRate { get; private set; }

    /// <summary>The underlying TorchSharp optimiser.</summary>
    public OptimizerHelper Optimizer => _optimizer;

    /// <summary>Path of <c>checkpoints/last.ckpt</c>, or null without a run directory.</summary>
    public string? LastCheckpointPath => RunDirectory is null ? null : Path.Combine(RunDirectory, "checkpoints", Checkpoint.LastFileName);

    /// <summary>Path of <c>checkpoints/best.ckpt</c>, or null without a run directory.</summary>
    public string? BestCheckpointPath => RunDirectory is null ? null : Path.Combine(RunDirectory, "checkpoints", Checkpoint.BestFileName);

    /// <summary>
    /// Restores weights, optimiser state, step, epoch, RNG state and early-stopping state from a checkpoint
    /// (a file or a run folder), so the next <see cref="Fit"/> continues exactly. The file is validated in full
    /// and the weights checked against the model before any weight changes.
    /// </summary>
    /// <exception cref="CheckpointException">The checkpoint is bad or does not fit this model/optimiser.</exception>
    public void Resume(string checkpoint)
    {
        string path = Checkpoint.ResolvePath(checkpoint);
        var header = CheckpointFile.ReadHeader(path);
        if (header.Training is { } t && t.Optimizer != Options.Optimizer)
            throw new CheckpointException(path, $"was trained with optimizer {t.Optimizer}, not {Options.Optimizer}; resume with the same --optimizer");
        var staged = CheckpointFile.ReadStateDict(path, header);
        Tensor? rng = null;
        try
        {
            rng = CheckpointFile.ReadRng(path, header);
            CheckpointFile.LoadInto(path, Model, staged);
        }
        finally
        {
            foreach (var s in staged.Values) s.Dispose();
        }
        CheckpointFile.LoadOptimizer(path, header, _optimizer);
        if (rng is not null)
        {
            torch.random.set_rng_state(rng);
            rng.Dispose();
        }
        EpochsCompleted = header.Epoch;
        Step = header.Step;
        _resumed = header;
        _resumedFrom = path;
    }

    /// <summary>
    /// Trains until <see cref="TrainingOptions.Epochs"/> epochs are complete, early stopping ends the run, or
    /// <paramref name="cancellationToken"/> is cancelled (then the current step finishes, <c>last</c> is written and
    /// the status is <see cref="TrainingStatus.Interrupted"/>).
    /// </summary>
    /// <exception cref="NonFiniteLossException">The loss became NaN or infinite; no checkpoint is written from that model.</exception>
    public TrainingResult Fit(IBatchSource train, IBatchSource? validation = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(train);
        if (train.BatchesPerEpoch < 1) throw new ArgumentException("the training source has no batches");
        if (!Options.ValidateEachEpoch) validation = null;

        int stepsPerEpoch = Options.MaxStepsPerEpoch is int max ? Math.Min(max, train.BatchesPerEpoch) : train.BatchesPerEpoch;
        var schedule = new LearningRateSchedule(Options, stepsPerEpoch);
        var state = new RunState(_resumed);
        if (_resumed is null) torch.manual_seed(Options.Seed);
        _resumed = null;

        var builtIn = new List<ITrainingCallback>();
        if (RunDirectory is not null)
        {
            Directory.CreateDirectory(RunDirectory);
            Directory.CreateDirectory(Path.Combine(RunDirectory, "checkpoints"));
            WriteConfig();
            builtIn.Add(new MetricsJsonlWriter(Path.Combine(RunDirectory, "metrics.jsonl")));
            if (Options.TensorBoard) builtIn.Add(new TensorBoardCallback(Path.Combine(RunDirectory, "tensorboard")));
        }
        var callbacks = builtIn.Concat(Callbacks).ToList();
        foreach (var c in callbacks) c.OnTrainingStart(this);

        var history = new List<EpochMetrics>();
        TrainingStatus? status = null;
        try
        {
            while (EpochsCompleted < Options.Epochs)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    SaveCheckpoint(LastCheckpointPath, state, partial: null);
                    status = TrainingStatus.Interrupted;
                    break;
                }
                int epoch = EpochsCompleted + 1;
                var partial = RunEpoch(train, epoch, stepsPerEpoch, schedule, state, cancellationToken);
                if (partial is not null)
                {
                    SaveCheckpoint(LastCheckpointPath, state, partial);
                    status = TrainingStatus.Interrupted;
                    break;
                }
                EvaluationResult? val = null;
                if (validation is not null)
                    val = Evaluate(Model, validation, Device, Progress, onBatch: null, epoch: epoch, epochs: Options.Epochs);
                Model.train();
                double seconds = state.EpochWatch.Elapsed.TotalSeconds + state.CarriedSeconds;
                double trainLoss = state.Samples == 0 ? 0 : state.LossSum / state.Samples;
                double trainAccuracy = state.Samples == 0 ? 0 : (double)state.Correct / state.Samples;
                double imagesPerSecond = state.TrainSeconds > 0 ? state.SamplesThisCall / state.TrainSeconds : 0;
                EpochsCompleted = epoch;
                state.ResetEpoch();

                double score = val is not null ? val.Top1 : -trainLoss;
                bool improved = state.BestScore is null || score > state.BestScore.Value;
                if (improved)
                {
                    state.BestScore = score;
                    state.BestEpoch = epoch;
                    state.BestValidationAccuracy = val?.Top1;
                    state.EpochsWithoutImprovement = 0;
                }
                else
                {
                    state.EpochsWithoutImprovement++;
                }
                SaveCheckpoint(LastCheckpointPath, state, partial: null);
                if (improved) SaveCheckpoint(BestCheckpointPath, state, partial: null);

                // Resident memory is read once the epoch's work, checkpoints included, is done.
                var metrics = new EpochMetrics(
                    epoch, trainLoss, trainAccuracy, val?.Loss, val?.Top1, val?.Top5, LearningRate, seconds, imagesPerSecond, Step,
                    ResidentBytes());
                history.Add(metrics);

                foreach (var c in callbacks) c.OnEpochEnd(this, metrics);

                if (Options.EarlyStopPatience is int patience && state.EpochsWithoutImprovement >= patience)
                {
                    status = TrainingStatus.EarlyStopped;
                    break;
                }
            }
            status ??= TrainingStatus.Completed;
        }
        finally
        {
            foreach (var c in callbacks)
            {
                c.OnTrainingEnd(this, status);
                (c as IDisposable)?.Dispose();
            }
        }
        return new TrainingResult(status.Value, EpochsCompleted, Step, history, state.BestEpoch, state.BestValidationAccuracy,
            LastCheckpointPath is not null && File.Exists(LastCheckpointPath) ? LastCheckpointPath : null,
            BestCheckpointPath is not null && File.Exists(BestCheckpointPath) ? BestCheckpointPath : null);
    }

    /// <summary>
    /// The evaluation loop: eval mode, no gradients, mean cross-entropy, top-1 and top-5 over <paramref name="source"/>'s epoch 0.
    /// <paramref name="onBatch"/> sees each batch with its logits (on the CPU) before they are disposed, for confusion matrices and the like.
    /// </summary>
    public static EvaluationResult Evaluate(
        nn.Module<Tensor, Tensor> model,
        IBatchSource source,
        Device? device = null,
        IProgress<TrainingProgress>? progress = null,
        Action<Batch, Tensor>? onBatch = null,
        CancellationToken cancellationToken = default)
        => Evaluate(model, source, device, progress, onBatch, 0, 0, cancellationToken);

    private static EvaluationResult Evaluate(
        nn.Module<Tensor, Tensor> model, IBatchSource source, Device? device, IProgress<TrainingProgress>? progress,
        Action<Batch, Tensor>? onBatch, int epoch, int epochs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        device ??= torch.CPU;
        model.eval();
        double lossSum = 0;
        long correct = 0, correct5 = 0, samples = 0;
        int batches = 0;
        var watch = Stopwatch.StartNew();
        using (no_grad())
        {
            foreach (var batch in source.GetEpoch(0, cancellationToken))
            {
                using var scope = NewDisposeScope();
                using (batch)
                {
                    var x = batch.Images.to(device);
                    var y = batch.Labels.to(device);
                    var logits = model.forward(x);
                    lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
                    int k = (int)Math.Min(5, logits.shape[1]);
                    var top = logits.topk(k, dim: 1).indexes;
                    var hits = top.eq(y.unsqueeze(1));
                    correct += hits.narrow(1, 0, 1).sum().item<long>();
                    correct5 += hits.any(1).sum().item<long>();
                    samples += batch.Count;
                    batches++;
                    onBatch?.Invoke(batch, logits.cpu());
                }
                if (progress is not null && batches % 10 == 0)
                    progress.Report(new TrainingProgress("val", epoch, epochs, batches, source.BatchesPerEpoch, 0, lossSum / samples, (double)correct / samples, 0,
                        samples / Math.Max(1e-9, watch.Elapsed.TotalSeconds), Eta(watch.Elapsed, batches, source.BatchesPerEpoch)));
            }
        }
        if (samples == 0) return new EvaluationResult(double.NaN, 0, 0, 0);
        return new EvaluationResult(lossSum / samples, (double)correct / samples, (double)correct5 / samples, samples);
    }

    /// <summary>Runs one epoch; returns null when it completed, or the partial-epoch position when cancelled mid-epoch.</summary>
    private PartialEpoch? RunEpoch(IBatchSource train, int epoch, int stepsPerEpoch, LearningRateSchedule schedule, RunState state, CancellationToken ct)
    {
        Model.train();
        int skip = state.SkipBatches;
        state.SkipBatches = 0;
        int batchIndex = 0;
        state.EpochWatch.Restart();
        try
        {
            foreach (var batch in train.GetEpoch(epoch - 1, ct))
            {
                if (batchIndex < skip)
                {
                    batch.Dispose();
                    batchIndex++;
                    continue;
                }
                if (batchIndex >= stepsPerEpoch)
                {
                    batch.Dispose();
                    break;
                }
                TrainStep(batch, epoch, schedule, state);
                // Throughput is measured on the wall clock of the training phase, so data loading counts.
                state.TrainSeconds = state.EpochWatch.Elapsed.TotalSeconds;
                batchIndex++;

                if (Progress is not null && (batchIndex % Options.ProgressInterval == 0 || batchIndex == stepsPerEpoch))
                {
                    double elapsed = state.EpochWatch.Elapsed.TotalSeconds;
                    int done = batchIndex - skip;
                    Progress.Report(new TrainingProgress("train", epoch, Options.Epochs, batchIndex, stepsPerEpoch, Step,
                        state.LossSum / Math.Max(1, state.Samples), (double)state.Correct / Math.Max(1, state.Samples), LearningRate,
                        state.SamplesThisCall / Math.Max(1e-9, state.TrainSeconds),
                        TimeSpan.FromSeconds(done == 0 ? 0 : elapsed / done * (stepsPerEpoch - batchIndex))));
                }
                if (batchIndex >= stepsPerEpoch) break;
                if (ct.IsCancellationRequested) return new PartialEpoch(batchIndex);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new PartialEpoch(batchIndex);
        }
        if (ct.IsCancellationRequested && batchIndex < stepsPerEpoch) return new PartialEpoch(batchIndex);
        return null;
    }

    private void TrainStep(Batch batch, int epoch, LearningRateSchedule schedule, RunState state)
    {
        using var scope = NewDisposeScope();
        using (batch)
        {
            double lr = schedule.At(Step);
            foreach (var group in _optimizer.ParamGroups) group.LearningRate = lr;
            LearningRate = lr;

            var x = batch.Images.to(Device);
            var y = batch.Labels.to(Device);
            _optimizer.zero_grad();
            Tensor? logits = null;
            var loss = Precision.Forward(() =>
            {
                if (Model is IAuxiliaryLogits { HasAuxiliaryLogits: true } aux)
                {
                    var (main, extras) = aux.ForwardWithAuxiliary(x);
                    logits = main;
                    var total = Loss(main, y);
                    foreach (var a in extras) total = total + Loss(a, y) * aux.AuxiliaryLossWeight;
                    return total;
                }
                logits = Model.forward(x);
                return Loss(logits, y);
            });
            double lossValue = loss.item<float>();
            if (!double.IsFinite(lossValue)) throw new NonFiniteLossException(epoch, Step, lossValue);

            Precision.ScaleForBackward(loss).backward();
            foreach (var hook in GradientHooks) hook.OnGradients(_parameters, Step);
            if (Precision.BeforeOptimizerStep(_parameters)) _optimizer.step();
            Step++;

            int n = batch.Count;
            state.LossSum += lossValue * n;
            state.Correct += logits!.argmax(1).eq(y).sum().item<long>();
            state.Samples += n;
            state.SamplesThisCall += n;
        }
    }

    private static long ResidentBytes()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.WorkingSet64;
    }

    private Tensor Loss(Tensor logits, Tensor target) =>
        nn.functional.cross_entropy(logits, target, label_smoothing: Options.LabelSmoothing);

    private void SaveCheckpoint(string? path, RunState state, PartialEpoch? partial)
    {
        if (path is null) return;
        using (no_grad())
        {
            foreach (var p in Model.parameters())
                if (!torch.isfinite(p).all().item<bool>())
                    throw new NonFiniteLossException(EpochsCompleted + 1, Step, double.NaN);
        }
        var header = new CheckpointHeader
        {
            ModelName = Descriptor.ModelName,
            ModelOptions = Descriptor.ModelOptions,
            ClassNames = Descriptor.ClassNames.ToList(),
            Normalization = Descriptor.Normalization,
            Channels = Descriptor.Channels,
            ImageSize = Descriptor.ImageSize,
            DataSpec = Descriptor.DataSpec,
            Epoch = EpochsCompleted,
            Step = Step,
            BatchInEpoch = partial?.BatchesDone ?? 0,
            PartialLossSum = partial is null ? 0 : state.LossSum,
            PartialCorrect = partial is null ? 0 : state.Correct,
            PartialSamples = partial is null ? 0 : state.Samples,
            PartialSeconds = partial is null ? 0 : state.EpochWatch.Elapsed.TotalSeconds + state.CarriedSeconds,
            BestScore = state.BestScore,
            BestEpoch = state.BestEpoch,
            BestValidationAccuracy = state.BestValidationAccuracy,
            EpochsWithoutImprovement = state.EpochsWithoutImprovement,
            Training = Options,
            Scheduler = Options.Schedule.ToString(),
            Seed = Options.Seed,
            Device = Options.Device,
            ModelZooVersion = Versions.ModelZoo,
            TorchSharpVersion = Versions.TorchSharp,
            DotNetVersion = Versions.DotNet,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        using var rng = torch.random.get_rng_state();
        CheckpointFile.Write(path, header, Model, _optimizer, rng);
    }

    private void WriteConfig()
    {
        var root = new JsonObject
        {
            ["model"] = Descriptor.ModelName,
            ["modelOptions"] = JsonSerializer.SerializeToNode(Descriptor.ModelOptions, TrainingJson.Options),
            ["data"] = Descriptor.DataSpec,
            ["classes"] = JsonSerializer.SerializeToNode(Descriptor.ClassNames, TrainingJson.Options),
            ["normalization"] = JsonSerializer.SerializeToNode(Descriptor.Normalization, TrainingJson.Options),
            ["channels"] = Descriptor.Channels,
            ["imageSize"] = Descriptor.ImageSize,
            ["training"] = JsonSerializer.SerializeToNode(Options, TrainingJson.Options),
            ["seed"] = Options.Seed,
            ["resumedFrom"] = _resumedFrom,
            ["extras"] = JsonSerializer.SerializeToNode(ConfigExtras, TrainingJson.Options),
            ["versions"] = new JsonObject
            {
                ["modelzoo"] = Versions.ModelZoo,
                ["torchsharp"] = Versions.TorchSharp,
                ["dotnet"] = Versions.DotNet,
                ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            },
            ["createdUtc"] = DateTimeOffset.UtcNow.ToString("O"),
        };
        string path = Path.Combine(RunDirectory!, "config.json");
        string temp = path + ".tmp";
        File.WriteAllText(temp, root.ToJsonString(TrainingJson.Indented));
        File.Move(temp, path, overwrite: true);
    }

    private static TimeSpan Eta(TimeSpan elapsed, int done, int total) =>
        done <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(elapsed.TotalSeconds / done * Math.Max(0, total - done));

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _optimizer.Dispose();
    }

    private sealed record PartialEpoch(int BatchesDone);

    private sealed class RunState
    {
        public RunState(CheckpointHeader? resumed)
        {
            if (resumed is null) return;
            SkipBatches = resumed.BatchInEpoch;
            LossSum = resumed.PartialLossSum;
            Correct = resumed.PartialCorrect;
            Samples = resumed.PartialSamples;
            CarriedSeconds = resumed.PartialSeconds;
            BestScore = resumed.BestScore;
            BestEpoch = resumed.BestEpoch;
            BestValidationAccuracy = resumed.BestValidationAccuracy;
            EpochsWithoutImprovement = resumed.EpochsWithoutImprovement;
        }

        public int SkipBatches;
        public double LossSum;
        public long Correct;
        public long Samples;
        public long SamplesThisCall;
        public double TrainSeconds;
        public double CarriedSeconds;
        public Stopwatch EpochWatch { get; } = new();
        public double? BestScore;
        public int? BestEpoch;
        public double? BestValidationAccuracy;
        public int EpochsWithoutImprovement;

        public void ResetEpoch()
        {
            LossSum = 0;
            Correct = 0;
            Samples = 0;
            SamplesThisCall = 0;
            TrainSeconds = 0;
            CarriedSeconds = 0;
        }
    }
}
