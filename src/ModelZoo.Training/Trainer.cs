using ModelZoo.Blocks.Binary;
using ModelZoo.Data;
using ModelZoo.Evaluation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training;

/// <summary>
/// The training engine: one training loop, used by the CLI (through <see cref="TrainingSession"/>), the tests and
/// library users; validation runs through the one evaluation loop, <see cref="Evaluator"/>. An epoch trains its
/// micro-batches (<see cref="EpochRunner"/>: the one step order), then validates (the model, and its EMA), sets
/// <see cref="CallbackMetrics"/> and runs the callbacks: every <see cref="ITrainingCallback.OnEpochCompleted"/> (the
/// checkpoint callback last), the epoch's <see cref="EpochMetrics"/>, every <see cref="ITrainingCallback.OnEpochEnd"/>.
/// With a <see cref="RunDirectory"/>, the primary process of <see cref="ProcessGroup"/> writes config.json and, through
/// callbacks, the checkpoints <c>last</c> and <c>best</c>, metrics.jsonl and TensorBoard events.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly OptimizerHelper _optimizer;
    private CheckpointHeader? _resumed;
    private string? _resumedFrom;
    private RunState _run = new(null);
    private TrainingStatus? _stopRequested;
    private readonly Dictionary<string, double> _metrics = new(StringComparer.Ordinal);
    private int _progressInterval = 10;
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
    /// Creates a trainer for <paramref name="model"/> from a run configuration (the run spec and what the data turned
    /// out to be: all written to config.json).
    /// </summary>
    /// <param name="model">The model to train.</param>
    /// <param name="configuration">The run configuration (e.g. a <see cref="TrainingSession"/>'s).</param>
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
        if (options.FreezeBackbone) ModelZoo.Weights.PretrainedWeights.FreezeBackbone(model);
        if (options.BackboneLearningRate is not null && model is not IZooModel)
            throw new ArgumentException($"BackboneLearningRate needs a zoo model (its card names the head); '{Descriptor.ModelName}' was not created by Zoo.Create");
        ParameterGroups = ParameterGrouping.For(model, options);
        TrainableParameters = ParameterGroups.SelectMany(g => g.Parameters).ToList();
        _optimizer = OptimizerFactory.Create(ParameterGroups, options);
        Task = ClassificationTask.For(model, options.LabelSmoothing);
        Precision = MixedPrecisionPolicy.For(options.Precision, Device.type);
        // Clipping is the last of the gradient hooks (a data-parallel all-reduce goes first: DataParallel.Attach).
        Clipping = GradientClipping.For(options);
        if (Clipping is not null) GradientHooks.Add(Clipping);
        Mixing = BatchMixing.For(options, Descriptor.ClassNames.Count > 0 ? Descriptor.ClassNames.Count : Descriptor.ModelOptions.NumClasses ?? 0);
        if (options.EmaDecay is double decay) Ema = new ModelEma(model, decay, options.EmaWarmup);
        bool primaryWrites = RunDirectory is not null;
        Checkpointing = new CheckpointCallback(
            primaryWrites ? Path.Combine(RunDirectory!, "checkpoints", Checkpoint.LastFileName) : null,
            primaryWrites ? Path.Combine(RunDirectory!, "checkpoints", Checkpoint.BestFileName) : null);
        if (options.EarlyStopPatience is int patience) EarlyStopping = new EarlyStopping(patience);
    }

    /// <summary>
    /// The model EMA (<see cref="TrainingOptions.EmaDecay"/>): updated after every optimiser step, validated each epoch
    /// beside the raw model (<see cref="EpochMetrics.ValidationAccuracyEma"/>), saved in checkpoints and restored by
    /// <see cref="Resume"/>; null without <see cref="TrainingOptions.EmaDecay"/>.
    /// </summary>
    public ModelEma? Ema { get; }

    /// <summary>The built-in clipping hook (<see cref="TrainingOptions.ClipGradNorm"/>, <see cref="TrainingOptions.ClipGradValue"/>), the last of <see cref="GradientHooks"/>; null when off.</summary>
    public GradientClipping? Clipping { get; }

    /// <summary>The batch mixer (<see cref="TrainingOptions.MixupAlpha"/>, <see cref="TrainingOptions.CutMixAlpha"/>); null when off.</summary>
    public BatchMixing? Mixing { get; }

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

    /// <summary>
    /// Hooks run with the step's gradients unscaled, before <see cref="ITrainingCallback.OnBeforeOptimizerStep"/>, in
    /// order: a data-parallel all-reduce first (<see cref="DataParallel.Attach"/> inserts it), the built-in
    /// <see cref="Clipping"/> last.
    /// </summary>
    public IList<IGradientHook> GradientHooks { get; } = new List<IGradientHook>();

    /// <summary>
    /// Numeric precision of the steps: <see cref="MixedPrecisionPolicy.For"/> of <see cref="TrainingOptions.Precision"/>
    /// (float32 by default); replaceable. Set it before <see cref="Resume"/> so its state is restored. Validation runs
    /// under its <see cref="IPrecisionPolicy.ForwardPrecision"/>.
    /// </summary>
    public IPrecisionPolicy Precision { get; set; }

    /// <summary>
    /// The learning rate of each step as a function of the global step; null (the default) uses the
    /// <see cref="LearningRateSchedule"/> of <see cref="Options"/>, built when <see cref="Fit"/> knows the steps per epoch.
    /// Stepped after every optimiser step (timm's <c>step_update</c>).
    /// </summary>
    public ILearningRateSchedule? Schedule { get; set; }

    /// <summary>The processes of the run; one by default. Only the primary one writes files.</summary>
    public IProcessGroup ProcessGroup { get; set; } = SingleProcessGroup.Instance;

    /// <summary>Observers of the run (progress, epochs, steps), called in order after the built-in ones (early stopping, metrics.jsonl, TensorBoard).</summary>
    public IList<ITrainingCallback> Callbacks { get; } = new List<ITrainingCallback>();

    /// <summary>The built-in checkpoint callback: it watches the score, keeps the best epoch and, with a run folder, writes <c>last</c> and <c>best</c>.</summary>
    public CheckpointCallback Checkpointing { get; }

    /// <summary>The built-in early stopping (<see cref="TrainingOptions.EarlyStopPatience"/>), or null.</summary>
    public EarlyStopping? EarlyStopping { get; }

    /// <summary>
    /// The metrics of the epoch just ended, for callbacks that judge it (Lightning's <c>callback_metrics</c>):
    /// <c>train_loss</c>, <c>train_acc</c> and, when validated, <c>val_loss</c>, <c>val_acc</c>, <c>val_top5</c>, and with a
    /// model EMA <c>val_loss_ema</c>, <c>val_acc_ema</c>.
    /// </summary>
    public IReadOnlyDictionary<string, double> CallbackMetrics => _metrics;

    /// <summary>The run configuration, written to config.json at the start of every <see cref="Fit"/> (with its resumed-from checkpoint after <see cref="Resume"/>).</summary>
    public RunConfiguration Configuration { get; }

    /// <summary>Epochs completed (counting those before a resume).</summary>
    public int EpochsCompleted { get; internal set; }

    /// <summary>Optimiser steps taken (counting those before a resume).</summary>
    public long Step { get; internal set; }

    /// <summary>The learning rate of the last step.</summary>
    public double LearningRate { get; internal set; }

    /// <summary>
    /// Optimiser steps between progress reports (<see cref="ITrainingCallback.OnProgress"/>), which is also how often the
    /// running loss and accuracy (and <see cref="StepEnd.Loss"/>) are read from the device; default 10. How the run is
    /// watched, not how it trains, so it is not a <see cref="TrainingOptions"/> field and is not recorded.
    /// </summary>
    public int ProgressInterval
    {
        get => _progressInterval;
        set => _progressInterval = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the progress interval must be at least 1 step");
    }

    /// <summary>Times the running loss and accuracy sums were read from the device during training (progress interval and epoch ends).</summary>
    internal long HostReads { get; set; }

    /// <summary>The rate set on the optimiser for the step about to be taken.</summary>
    internal double CurrentRate { get; private set; }

    /// <summary>The trainable parameters, in the optimiser's order.</summary>
    internal IReadOnlyList<Parameter> TrainableParameters { get; }

    /// <summary>The underlying TorchSharp optimiser.</summary>
    public OptimizerHelper Optimizer => _optimizer;

    /// <summary>Path of <c>checkpoints/last.ckpt</c>, or null without a run directory.</summary>
    public string? LastCheckpointPath => Checkpointing.LastPath;

    /// <summary>Path of <c>checkpoints/best.ckpt</c>, or null without a run directory.</summary>
    public string? BestCheckpointPath => Checkpointing.BestPath;

    /// <summary>
    /// Restores weights, optimiser state, step, epoch, RNG state, the callbacks' state (best score, early stopping)
    /// and the precision policy's state from a checkpoint (a file or a run folder), so the next <see cref="Fit"/>
    /// continues exactly. The file is validated in full and the weights checked against the model before any weight changes.
    /// </summary>
    /// <exception cref="CheckpointException">The checkpoint is bad or does not fit this model/optimiser.</exception>
    public void Resume(string checkpoint)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        (_resumed, _resumedFrom) = TrainerCheckpoints.Restore(this, checkpoint);
        EpochsCompleted = _resumed.Epoch;
        Step = _resumed.Step;
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
        Schedule ??= new LearningRateSchedule(Options, stepsPerEpoch);
        _run = new RunState(_resumed);
        _stopRequested = null;
        if (_resumed is null) torch.manual_seed(Options.Seed);
        var resumedStates = _resumed is null ? null : TrainerCheckpoints.CallbackStates(_resumed);
        _resumed = null;
        Precision.Prepare(Model);
        ApplyLearningRate();

        var callbacks = _pipeline = Pipeline();
        if (resumedStates is not null)
            foreach (var c in callbacks.OfType<IStatefulCallback>())
                if (resumedStates.TryGetValue(c.StateKey, out var state)) c.LoadState(state);
        if (RunDirectory is not null && ProcessGroup.IsPrimary)
        {
            Directory.CreateDirectory(RunDirectory);
            (Configuration with { ResumedFrom = _resumedFrom }).Write(RunDirectory);
        }
        foreach (var c in callbacks) c.OnTrainingStart(this);

        var runner = new EpochRunner(this, _run, callbacks);
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
                if (!runner.Run(train, epoch, batchesPerEpoch, cancellationToken))
                {
                    status = TrainingStatus.Interrupted;
                    break;
                }
                var metrics = EpochEnd.Run(this, _run, _metrics, epoch, validation, callbacks);
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
            // The checkpoint callback ends first, so an interruption's `last` is written before the others see the end.
            foreach (var c in callbacks.Where(c => c is CheckpointCallback).Concat(callbacks.Where(c => c is not CheckpointCallback)))
            {
                c.OnTrainingEnd(this, status);
                (c as IDisposable)?.Dispose();
            }
        }
        return new TrainingResult(status.Value, EpochsCompleted, Step, history, Checkpointing.BestEpoch, Checkpointing.BestValidationAccuracy,
            LastCheckpointPath is not null && File.Exists(LastCheckpointPath) ? LastCheckpointPath : null,
            BestCheckpointPath is not null && File.Exists(BestCheckpointPath) ? BestCheckpointPath : null);
    }

    /// <summary>
    /// Writes a checkpoint of the current state to <paramref name="path"/> (what <see cref="CheckpointCallback"/> calls):
    /// weights, optimiser, RNG, step, epoch, the callbacks' and the precision policy's state, and the position inside an
    /// interrupted epoch.
    /// </summary>
    /// <exception cref="NonFiniteLossException">A parameter is not finite; nothing is written.</exception>
    public void SaveCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        TrainerCheckpoints.Write(this, path, _run, (_pipeline ?? Pipeline()).OfType<IStatefulCallback>());
    }

    /// <summary>
    /// Every callback in the order they are called: the built-in ones (latent-weight clipping for binarised models,
    /// early stopping, and with a run folder metrics.jsonl and TensorBoard), then <see cref="Callbacks"/>, then the
    /// checkpoint callback (which the loop calls last at an epoch's completion and first at the end).
    /// </summary>
    private List<ITrainingCallback> Pipeline()
    {
        var pipeline = new List<ITrainingCallback>();
        if (BinaryLayers.Find(Model).Count > 0) pipeline.Add(_latentClipping ??= new LatentWeightClipping());
        if (EarlyStopping is not null) pipeline.Add(EarlyStopping);
        if (RunDirectory is not null && ProcessGroup.IsPrimary)
        {
            pipeline.Add(_metricsWriter ??= new MetricsJsonlWriter(Path.Combine(RunDirectory, "metrics.jsonl")));
            if (Options.TensorBoard) pipeline.Add(new TensorBoardCallback(Path.Combine(RunDirectory, "tensorboard")));
        }
        pipeline.AddRange(Callbacks);
        pipeline.Add(Checkpointing);
        return pipeline;
    }

    private LatentWeightClipping? _latentClipping;
    private MetricsJsonlWriter? _metricsWriter;
    private List<ITrainingCallback>? _pipeline;

    /// <summary>Sets the schedule's rate for the step about to be taken on every parameter group (times its scale).</summary>
    internal void ApplyLearningRate()
    {
        double lr = (Schedule ?? throw new InvalidOperationException("no schedule")).At(Step);
        int g = 0;
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = lr * ParameterGroups[g++].LearningRateScale;
        CurrentRate = lr;
    }

    /// <summary>
    /// Whether to stop here: the token, or under several processes whether any of them was asked to stop (one small
    /// all-reduce per step), so that every rank stops after the same step and writes nothing half-done.
    /// </summary>
    internal bool StopAgreed(CancellationToken ct)
    {
        if (ProcessGroup.WorldSize == 1) return ct.IsCancellationRequested;
        double[] flag = [ct.IsCancellationRequested ? 1 : 0];
        ProcessGroup.AllReduceSum(flag);
        return flag[0] > 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _optimizer.Dispose();
        Ema?.Dispose();
    }
}
