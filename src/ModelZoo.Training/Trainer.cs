using System.Diagnostics;
using ModelZoo.Data;
using ModelZoo.Evaluation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// The training engine: one training loop, used by the CLI, the tests and library users; validation runs through
/// the one evaluation loop, <see cref="Evaluator"/>. Each step: <see cref="IPrecisionPolicy.Forward"/> (running the
/// <see cref="Task"/>: forward and loss) -> backward of the scaled loss -> <see cref="IPrecisionPolicy.Unscale"/> ->
/// <see cref="GradientHooks"/> -> <see cref="Clipping"/> -> <see cref="IPrecisionPolicy.ShouldStep"/> -> optimiser step -> <see cref="Ema"/>
/// update (with <see cref="TrainingOptions.AccumulationSteps"/> K, K micro-batches of forward and backward per step). Loss and accuracy sums
/// stay on the device and are read to the host every <see cref="TrainingOptions.ProgressInterval"/> steps and at the
/// epoch's end (where a non-finite loss raises <see cref="NonFiniteLossException"/>). With a <see cref="RunDirectory"/>,
/// the primary process of <see cref="ProcessGroup"/> writes config.json and, through callbacks in the pipeline,
/// the checkpoints <c>last</c> and <c>best</c>, metrics.jsonl and TensorBoard events.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly List<Parameter> _parameters;
    private readonly OptimizerHelper _optimizer;
    private CheckpointHeader? _resumed;
    private string? _resumedFrom;
    private RunState _run = new(null);
    private TrainingStatus? _stopRequested;
    private readonly GradientClipping? _clipping;
    private readonly BatchMixing? _mixing;
    private Tensor? _stepRng;
    private bool _disposed;

    /// <summary>Creates a trainer for <paramref name="model"/> (moved to <see cref="TrainingOptions.Device"/>).</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="options">Training options.</param>
    /// <param name="descriptor">Model and data identity recorded in checkpoints.</param>
    /// <param name="runDirectory">Where run files go; null writes nothing.</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    /// <exception cref="DeviceUnavailableException">The device is not available.</exception>
    public Trainer(nn.Module<Tensor, Tensor> model, TrainingOptions options, ModelDescriptor descriptor, string? runDirectory = null)
        : this(model, RunConfiguration.For(descriptor, options), runDirectory)
    {
    }

    /// <summary>
    /// Creates a trainer for <paramref name="model"/> from a run configuration (model and data identity, training
    /// options, data options, recipe, command line: all written to config.json).
    /// </summary>
    /// <param name="model">The model to train.</param>
    /// <param name="configuration">The run configuration (e.g. <see cref="RunConfiguration.ForResume"/> + <see cref="RunConfiguration.Merge"/>).</param>
    /// <param name="runDirectory">Where run files go; null writes nothing.</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    /// <exception cref="DeviceUnavailableException">The device is not available.</exception>
    public Trainer(nn.Module<Tensor, Tensor> model, RunConfiguration configuration, string? runDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Training;
        options.EnsureValid();
        TorchRuntime.PrepareFor(model);
        TorchRuntime.TuneAllocatorForTraining();
        Model = model;
        Configuration = configuration;
        Options = options;
        Descriptor = configuration.Descriptor;
        RunDirectory = runDirectory is null ? null : Path.GetFullPath(runDirectory);
        Device = DeviceSelector.Resolve(options.Device);
        if (options.Threads is int threads) torch.set_num_threads(threads);
        Model.to(Device);
        // Before the optimiser and the EMA exist, so their state takes the weights' layout.
        if (options.ChannelsLast) ModelZoo.ChannelsLast.Apply(Model);
        if (options.FreezeBackbone) ModelZoo.Weights.PretrainedWeights.FreezeBackbone(model, configuration.Model);
        ParameterGroups = ParameterGrouping.For(model, configuration.Model, options);
        _parameters = ParameterGroups.SelectMany(g => g.Parameters).ToList();
        _optimizer = OptimizerFactory.Create(ParameterGroups, options);
        Task = ClassificationTask.For(model, options.LabelSmoothing);
        Precision = MixedPrecisionPolicy.For(options.Precision, Device.type);
        _clipping = GradientClipping.For(options);
        _mixing = BatchMixing.For(options, Descriptor.ClassNames.Count > 0 ? Descriptor.ClassNames.Count : Descriptor.ModelOptions.NumClasses ?? 0);
        if (options.EmaDecay is double decay) Ema = new ModelEma(model, decay, options.EmaWarmup);
    }

    /// <summary>
    /// The model EMA (<see cref="TrainingOptions.EmaDecay"/>): updated after every optimiser step, validated each epoch
    /// beside the raw model (<see cref="EpochMetrics.ValidationAccuracyEma"/>), saved in checkpoints and restored by
    /// <see cref="Resume"/>; null without <see cref="TrainingOptions.EmaDecay"/>.
    /// </summary>
    public ModelEma? Ema { get; }

    /// <summary>The built-in clipping hook (<see cref="TrainingOptions.ClipGradNorm"/>, <see cref="TrainingOptions.ClipGradValue"/>), run after <see cref="GradientHooks"/>; null when off.</summary>
    public GradientClipping? Clipping => _clipping;

    /// <summary>The batch mixer (<see cref="TrainingOptions.MixupAlpha"/>, <see cref="TrainingOptions.CutMixAlpha"/>); null when off.</summary>
    public BatchMixing? Mixing => _mixing;

    /// <summary>The model being trained.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The optimiser's parameter groups (one, or backbone and head with <see cref="TrainingOptions.BackboneLearningRate"/>), in the optimiser's order.</summary>
    public IReadOnlyList<ParameterGroup> ParameterGroups { get; }

    /// <summary>The options.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Model and data identity, recorded in checkpoints.</summary>
    public ModelDescriptor Descriptor { get; }

    /// <summary>The run folder, or null when nothing is written.</summary>
    public string? RunDirectory { get; }

    /// <summary>The device training runs on.</summary>
    public Device Device { get; }

    /// <summary>
    /// Forward and loss of a step; chosen when the trainer is built (<see cref="ClassificationTask.For"/>: auxiliary
    /// heads for models that have them), replaceable before <see cref="Fit"/>.
    /// </summary>
    public ITrainingTask Task { get; set; }

    /// <summary>Hooks run after the gradients are unscaled and before the optimiser step (e.g. a data-parallel all-reduce, clipping), in order.</summary>
    public IList<IGradientHook> GradientHooks { get; } = new List<IGradientHook>();

    /// <summary>
    /// Numeric precision of the steps: <see cref="MixedPrecisionPolicy.For"/> of <see cref="TrainingOptions.Precision"/>
    /// (float32 by default); replaceable. Set it before <see cref="Resume"/> so its state is restored.
    /// </summary>
    public IPrecisionPolicy Precision { get; set; }

    /// <summary>The processes of the run; one by default. Only the primary one writes files.</summary>
    public IProcessGroup ProcessGroup { get; set; } = SingleProcessGroup.Instance;

    /// <summary>Observers of the run (progress, epochs), called in order after the built-in ones (checkpoints, metrics.jsonl, TensorBoard, early stopping).</summary>
    public IList<ITrainingCallback> Callbacks { get; } = new List<ITrainingCallback>();

    /// <summary>The run configuration, written to config.json at the start of every <see cref="Fit"/> (with <c>resumedFrom</c> set after <see cref="Resume"/>).</summary>
    public RunConfiguration Configuration { get; }

    /// <summary>Epochs completed (counting those before a resume).</summary>
    public int EpochsCompleted { get; private set; }

    /// <summary>Optimiser steps taken (counting those before a resume).</summary>
    public long Step { get; private set; }

    /// <summary>The learning rate of the last step.</summary>
    public double LearningRate { get; private set; }

    /// <summary>True when the epoch that just ended improved the score (validation top-1, or minus the training loss without validation).</summary>
    public bool ImprovedThisEpoch { get; private set; }

    /// <summary>Epochs since the score last improved (restored on resume).</summary>
    public int EpochsWithoutImprovement => _run.EpochsWithoutImprovement;

    /// <summary>Times the running loss and accuracy sums were read from the device during training (progress interval and epoch ends).</summary>
    internal long HostReads { get; private set; }

    /// <summary>The underlying TorchSharp optimiser.</summary>
    public OptimizerHelper Optimizer => _optimizer;

    /// <summary>Path of <c>checkpoints/last.ckpt</c>, or null without a run directory.</summary>
    public string? LastCheckpointPath => RunDirectory is null ? null : Path.Combine(RunDirectory, "checkpoints", Checkpoint.LastFileName);

    /// <summary>Path of <c>checkpoints/best.ckpt</c>, or null without a run directory.</summary>
    public string? BestCheckpointPath => RunDirectory is null ? null : Path.Combine(RunDirectory, "checkpoints", Checkpoint.BestFileName);

    /// <summary>
    /// Restores weights, optimiser state, step, epoch, RNG state, early-stopping state and the precision policy's state
    /// from a checkpoint (a file or a run folder), so the next <see cref="Fit"/> continues exactly. The file is validated
    /// in full and the weights checked against the model before any weight changes.
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
        Dictionary<string, Tensor>? ema = null;
        try
        {
            if (Ema is not null)
            {
                if (header.Sections.All(s => s.Name != CheckpointFile.EmaSection))
                    throw new CheckpointException(path, "has no EMA weights to resume the model EMA from (it was trained without --ema)");
                ema = CheckpointFile.ReadStateDict(path, header, CheckpointFile.EmaSection);
                try { Ema.Load(ema); }
                catch (ArgumentException e) { throw new CheckpointException(path, e.Message, e); }
            }
            rng = CheckpointFile.ReadRng(path, header);
            CheckpointFile.LoadInto(path, Model, staged);
        }
        finally
        {
            foreach (var s in staged.Values) s.Dispose();
            if (ema is not null) foreach (var s in ema.Values) s.Dispose();
        }
        // TorchSharp reads the state into the existing tensors, which must be contiguous for it.
        OptimizerStateLayout.ToContiguous(_optimizer);
        CheckpointFile.LoadOptimizer(path, header, _optimizer);
        if (Options.ChannelsLast) OptimizerStateLayout.ToChannelsLast(_optimizer);
        if (rng is not null)
        {
            torch.random.set_rng_state(rng);
            rng.Dispose();
        }
        if (header.PrecisionState is { } precisionState) Precision.LoadState(precisionState);
        EpochsCompleted = header.Epoch;
        Step = header.Step;
        _resumed = header;
        _resumedFrom = path;
    }

    /// <summary>Asks the loop to stop after the current epoch's callbacks with <paramref name="status"/> (what <see cref="EarlyStopping"/> does).</summary>
    public void RequestStop(TrainingStatus status = TrainingStatus.EarlyStopped) => _stopRequested = status;

    /// <summary>
    /// Trains until <see cref="TrainingOptions.Epochs"/> epochs are complete, a callback stops the run (early stopping),
    /// or <paramref name="cancellationToken"/> is cancelled (then the current step finishes, <c>last</c> is written and
    /// the status is <see cref="TrainingStatus.Interrupted"/>).
    /// </summary>
    /// <exception cref="NonFiniteLossException">The loss became NaN or infinite; no checkpoint is written from that model.</exception>
    public TrainingResult Fit(IBatchSource train, IBatchSource? validation = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(train);
        if (train.BatchesPerEpoch < 1) throw new ArgumentException("the training source has no batches");
        if (!Options.ValidateEachEpoch) validation = null;

        int accumulation = Options.AccumulationSteps;
        int stepsAvailable = (train.BatchesPerEpoch + accumulation - 1) / accumulation;
        int stepsPerEpoch = Options.MaxStepsPerEpoch is int max ? Math.Min(max, stepsAvailable) : stepsAvailable;
        // Micro-batches trained per epoch: K per optimiser step, the last step of the epoch possibly fewer.
        int batchesPerEpoch = Math.Min(train.BatchesPerEpoch, stepsPerEpoch * accumulation);
        var schedule = new LearningRateSchedule(Options, stepsPerEpoch);
        _run = new RunState(_resumed);
        _stopRequested = null;
        if (_resumed is null) torch.manual_seed(Options.Seed);
        _resumed = null;
        Precision.Prepare(Model);

        var callbacks = BuiltInCallbacks().Concat(Callbacks).ToList();
        if (RunDirectory is not null && ProcessGroup.IsPrimary)
        {
            Directory.CreateDirectory(RunDirectory);
            WriteConfig();
        }
        foreach (var c in callbacks) c.OnTrainingStart(this);

        var history = new List<EpochMetrics>();
        TrainingStatus? status = null;
        try
        {
            while (EpochsCompleted < Options.Epochs)
            {
                if (StopAgreed(cancellationToken))
                {
                    status = TrainingStatus.Interrupted;
                    break;
                }
                int epoch = EpochsCompleted + 1;
                bool completed = RunEpoch(train, epoch, batchesPerEpoch, schedule, callbacks, cancellationToken);
                if (!completed)
                {
                    status = TrainingStatus.Interrupted;
                    break;
                }
                EvaluationReport? val = null;
                EvaluationReport? valEma = null;
                if (validation is not null)
                {
                    var progress = callbacks.Count == 0 ? null : new Action<TrainingProgress>(p =>
                    {
                        var report = p with { Epoch = epoch, Epochs = Options.Epochs };
                        foreach (var c in callbacks) c.OnProgress(this, report);
                    });
                    val = Evaluator.Evaluate([Model], validation, null, new EvaluationOptions { Details = false, TopK = 5, Device = Device, Progress = progress, Precision = Options.Precision, ChannelsLast = Options.ChannelsLast });
                    if (Ema is not null)
                    {
                        // The average is swapped into the model for its evaluation and swapped back bit for bit.
                        Ema.SwapInto(Model);
                        try { valEma = Evaluator.Evaluate([Model], validation, null, new EvaluationOptions { Details = false, TopK = 5, Device = Device, Precision = Options.Precision, ChannelsLast = Options.ChannelsLast }); }
                        finally { Ema.SwapInto(Model); }
                    }
                }
                Model.train();
                double seconds = _run.EpochWatch.Elapsed.TotalSeconds + _run.CarriedSeconds;
                // Epoch sums of every process: [loss x samples, correct, samples, samples trained in this call].
                double[] sums = [_run.LossSum, _run.Correct, _run.Samples, _run.SamplesThisCall];
                ProcessGroup.AllReduceSum(sums);
                double trainLoss = sums[2] == 0 ? 0 : sums[0] / sums[2];
                double trainAccuracy = sums[2] == 0 ? 0 : sums[1] / sums[2];
                // Images/s of the whole run: every process's samples over this process's training time.
                double imagesPerSecond = _run.TrainSeconds > 0 ? sums[3] / _run.TrainSeconds : 0;
                EpochsCompleted = epoch;
                _run.ResetEpoch();

                double score = val is not null ? val.Top1 : -trainLoss;
                ImprovedThisEpoch = _run.BestScore is null || score > _run.BestScore.Value;
                if (ImprovedThisEpoch)
                {
                    _run.BestScore = score;
                    _run.BestEpoch = epoch;
                    _run.BestValidationAccuracy = val?.Top1;
                    _run.EpochsWithoutImprovement = 0;
                }
                else
                {
                    _run.EpochsWithoutImprovement++;
                }

                foreach (var c in callbacks) c.OnEpochCompleted(this);

                // Resident memory is read once the epoch's work, checkpoints included, is done.
                var metrics = new EpochMetrics(
                    epoch, trainLoss, trainAccuracy, val?.Loss, val?.Top1, val?.TopK, LearningRate, seconds, imagesPerSecond, Step,
                    ResidentBytes())
                {
                    ValidationLossEma = valEma?.Loss,
                    ValidationAccuracyEma = valEma?.Top1,
                };
                history.Add(metrics);

                foreach (var c in callbacks) c.OnEpochEnd(this, metrics);

                if (_stopRequested is TrainingStatus stop)
                {
                    status = stop;
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
        return new TrainingResult(status.Value, EpochsCompleted, Step, history, _run.BestEpoch, _run.BestValidationAccuracy,
            LastCheckpointPath is not null && File.Exists(LastCheckpointPath) ? LastCheckpointPath : null,
            BestCheckpointPath is not null && File.Exists(BestCheckpointPath) ? BestCheckpointPath : null);
    }

    /// <summary>
    /// Writes a checkpoint of the current state to <paramref name="path"/> (what <see cref="CheckpointCallback"/> calls):
    /// weights, optimiser, RNG, step, epoch, early-stopping and precision state, and the position inside an interrupted epoch.
    /// </summary>
    /// <exception cref="NonFiniteLossException">A parameter is not finite; nothing is written.</exception>
    public void SaveCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using (no_grad())
        {
            foreach (var p in Model.parameters())
                if (!torch.isfinite(p).all().item<bool>())
                    throw new NonFiniteLossException(EpochsCompleted + 1, Step, double.NaN);
        }
        var state = _run;
        bool partial = state.BatchesDone > 0;
        var header = CheckpointHeader.For(Descriptor) with
        {
            Epoch = EpochsCompleted,
            Step = Step,
            BatchInEpoch = state.BatchesDone,
            PartialLossSum = partial ? state.LossSum : 0,
            PartialCorrect = partial ? state.Correct : 0,
            PartialSamples = partial ? state.Samples : 0,
            PartialSeconds = partial ? state.EpochWatch.Elapsed.TotalSeconds + state.CarriedSeconds : 0,
            BestScore = state.BestScore,
            BestEpoch = state.BestEpoch,
            BestValidationAccuracy = state.BestValidationAccuracy,
            EpochsWithoutImprovement = state.EpochsWithoutImprovement,
            PrecisionState = new Dictionary<string, double>(Precision.GetState(), StringComparer.Ordinal),
            Training = Options,
            Scheduler = Options.Schedule.ToString(),
            Seed = Options.Seed,
            Device = Options.Device,
        };
        using var rng = torch.random.get_rng_state();
        CheckpointFile.Write(path, header, Model, _optimizer, rng, Ema?.State);
    }

    private List<ITrainingCallback> BuiltInCallbacks()
    {
        var builtIn = new List<ITrainingCallback>();
        if (RunDirectory is not null && ProcessGroup.IsPrimary)
        {
            builtIn.Add(new CheckpointCallback(LastCheckpointPath!, BestCheckpointPath!));
            builtIn.Add(new MetricsJsonlWriter(Path.Combine(RunDirectory, "metrics.jsonl")));
            if (Options.TensorBoard) builtIn.Add(new TensorBoardCallback(Path.Combine(RunDirectory, "tensorboard")));
        }
        if (Options.EarlyStopPatience is int patience) builtIn.Add(new EarlyStopping(patience));
        return builtIn;
    }

    /// <summary>Runs one epoch; returns true when it completed, false when cancelled (the position is kept for <c>last</c>).</summary>
    private bool RunEpoch(IBatchSource train, int epoch, int batchesPerEpoch, LearningRateSchedule schedule, List<ITrainingCallback> callbacks, CancellationToken ct)
    {
        var state = _run;
        Model.train();
        int skip = state.SkipBatches;
        state.SkipBatches = 0;
        int batchIndex = 0;
        state.EpochWatch.Restart();
        // Running sums live on the device and are read to the host only at the progress interval and the epoch's end.
        using var lossSum = torch.tensor(state.LossSum, dtype: ScalarType.Float64, device: Device);
        using var correct = torch.tensor(state.Correct, dtype: ScalarType.Int64, device: Device);
        // One optimiser step's sums (K micro-batches with accumulation), folded into the epoch's at the step, so an
        // interruption between micro-batches leaves the epoch at the last step, as the resumed run will see it.
        using var stepLoss = torch.zeros(1, dtype: ScalarType.Float64, device: Device);
        using var stepCorrect = torch.zeros(1, dtype: ScalarType.Int64, device: Device);
        int accumulation = Options.AccumulationSteps;
        bool completed = true;
        try
        {
            // Several processes stop together, at the same step (StopAgreed), so the loader does not watch the token:
            // a rank leaving mid-batch on its own would leave the others waiting in the next all-reduce.
            foreach (var batch in train.GetEpoch(epoch - 1, ProcessGroup.WorldSize > 1 ? CancellationToken.None : ct))
            {
                if (batchIndex < skip)
                {
                    batch.Dispose();
                    batchIndex++;
                    state.BatchesDone = batchIndex;
                    continue;
                }
                if (batchIndex >= batchesPerEpoch)
                {
                    batch.Dispose();
                    break;
                }
                int groupStart = batchIndex / accumulation * accumulation;
                int groupSize = Math.Min(accumulation, batchesPerEpoch - groupStart);
                bool stepped = TrainMicroBatch(batch, schedule, batchIndex - groupStart, groupSize, stepLoss, stepCorrect);
                // Throughput is measured on the wall clock of the training phase, so data loading counts.
                state.TrainSeconds = state.EpochWatch.Elapsed.TotalSeconds;
                batchIndex++;
                if (!stepped) continue;
                using (NewDisposeScope())
                {
                    lossSum.add_(stepLoss.squeeze());
                    correct.add_(stepCorrect.squeeze());
                    stepLoss.zero_();
                    stepCorrect.zero_();
                }
                state.Samples += _run.StepSamples;
                state.SamplesThisCall += _run.StepSamples;
                _run.StepSamples = 0;
                state.BatchesDone = batchIndex;

                long stepsDone = (batchIndex + accumulation - 1) / accumulation;
                if (stepsDone % Options.ProgressInterval == 0 || batchIndex == batchesPerEpoch)
                {
                    ReadSums(epoch, lossSum, correct);
                    double elapsed = state.EpochWatch.Elapsed.TotalSeconds;
                    int done = batchIndex - skip;
                    var report = new TrainingProgress("train", epoch, Options.Epochs, batchIndex, batchesPerEpoch, Step,
                        state.LossSum / Math.Max(1, state.Samples), (double)state.Correct / Math.Max(1, state.Samples), LearningRate,
                        state.SamplesThisCall / Math.Max(1e-9, state.TrainSeconds),
                        TimeSpan.FromSeconds(done == 0 ? 0 : elapsed / done * (batchesPerEpoch - batchIndex)));
                    foreach (var c in callbacks) c.OnProgress(this, report);
                }
                if (batchIndex >= batchesPerEpoch) break;
                if (StopAgreed(ct))
                {
                    completed = false;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            completed = false;
        }
        if (completed && ct.IsCancellationRequested && batchIndex < batchesPerEpoch) completed = false;
        _run.StepSamples = 0;
        if (!completed && batchIndex > state.BatchesDone && _stepRng is not null)
        {
            // Interrupted inside an accumulation: the generator goes back to the start of the unfinished step, so the
            // checkpoint (at the last whole step) holds the state the resumed run must redo it from.
            torch.random.set_rng_state(_stepRng);
        }
        _stepRng?.Dispose();
        _stepRng = null;
        // The epoch's (or the interrupted epoch's) sums are read before anything is written from this model.
        ReadSums(epoch, lossSum, correct);
        if (completed) state.BatchesDone = 0;
        return completed;
    }

    private void ReadSums(int epoch, Tensor lossSum, Tensor correct)
    {
        var state = _run;
        if (state.ReadAtStep == Step) return;
        state.ReadAtStep = Step;
        HostReads++;
        state.LossSum = lossSum.item<double>();
        state.Correct = correct.item<long>();
        if (!double.IsFinite(state.LossSum)) throw new NonFiniteLossException(epoch, Step, state.LossSum);
    }

    /// <summary>
    /// Trains micro-batch <paramref name="micro"/> of an optimiser step of <paramref name="groupSize"/> micro-batches
    /// (1 without accumulation): backward of loss / groupSize; at the last one the gradients are unscaled, hooked,
    /// clipped and stepped, and the EMA updated. Returns true when it took the optimiser step.
    /// </summary>
    private bool TrainMicroBatch(Batch batch, LearningRateSchedule schedule, int micro, int groupSize, Tensor stepLoss, Tensor stepCorrect)
    {
        using var scope = NewDisposeScope();
        using (batch)
        {
            if (micro == 0)
            {
                if (groupSize > 1)
                {
                    _stepRng?.Dispose();
                    _stepRng = torch.random.get_rng_state().DetachFromDisposeScope();
                }
                double lr = schedule.At(Step);
                int g = 0;
                foreach (var group in _optimizer.ParamGroups) group.LearningRate = lr * ParameterGroups[g++].LearningRateScale;
                LearningRate = lr;
                ClearGradients();
            }

            var x = batch.Images.to(Device);
            if (Options.ChannelsLast) x = ModelZoo.ChannelsLast.Convert(x);
            var y = batch.Labels.to(Device);
            var target = y;
            if (_mixing is not null)
            {
                // Seeded by (run seed, optimiser step, micro-batch): a resumed run mixes exactly as the straight one.
                var mixed = _mixing.Mix(x, y, Options.Seed, Step, micro);
                x = mixed.Images;
                target = mixed.Targets;
            }
            var (loss, logits) = Precision.Forward(Model, x, target, Task);
            var backwardLoss = groupSize == 1 ? loss : loss / groupSize;
            Precision.ScaleForBackward(backwardLoss).backward();

            int n = batch.Count;
            // float32 loss widened to float64, times n, summed in float64: the same sums as reading each loss to the host.
            stepLoss.add_(loss.detach().to_type(ScalarType.Float64).mul(n));
            stepCorrect.add_(logits.argmax(1).eq(y).sum());
            _run.StepSamples += n;
            if (micro < groupSize - 1) return false;

            Precision.Unscale(_parameters);
            foreach (var hook in GradientHooks) hook.OnGradients(_parameters, Step);
            _clipping?.OnGradients(_parameters, Step);
            if (Precision.ShouldStep(_parameters)) _optimizer.step();
            Step++;
            Ema?.Update(Model, Step);
            return true;
        }
    }

    /// <summary>
    /// Zeroes the gradients before a step. Under channels-last they are dropped instead (PyTorch's
    /// <c>zero_grad(set_to_none=True)</c>), so backward creates them in the weights' NHWC layout rather than
    /// accumulating into NCHW-laid tensors; with the weights converted too this measured about 10 % faster for resnet18
    /// in bf16 (bench/PrecisionBench <c>clw</c>). A parameter that then gets no gradient is skipped by the optimiser,
    /// as in PyTorch.
    /// </summary>
    private void ClearGradients()
    {
        if (!Options.ChannelsLast)
        {
            _optimizer.zero_grad();
            return;
        }
        foreach (var p in _parameters) p.grad = null;
    }

    /// <summary>
    /// Whether to stop here: the token, or under several processes whether any of them was asked to stop (one small
    /// all-reduce per step), so that every rank stops after the same step and writes nothing half-done.
    /// </summary>
    private bool StopAgreed(CancellationToken ct)
    {
        if (ProcessGroup.WorldSize == 1) return ct.IsCancellationRequested;
        double[] flag = [ct.IsCancellationRequested ? 1 : 0];
        ProcessGroup.AllReduceSum(flag);
        return flag[0] > 0;
    }

    private static long ResidentBytes()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.WorkingSet64;
    }

    private void WriteConfig() => (Configuration with { ResumedFrom = _resumedFrom }).Write(RunDirectory!);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _optimizer.Dispose();
        Ema?.Dispose();
    }

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
        public int BatchesDone;
        public long ReadAtStep = -1;
        public double LossSum;
        public long Correct;
        public long Samples;
        public long SamplesThisCall;
        public long StepSamples;
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
