using ModelZoo.Data.Folders;

namespace ModelZoo.Training;

/// <summary>
/// What a caller gives again when starting or resuming a run (the CLI's command-line options): every non-null field
/// replaces the recorded (or recipe) value in <see cref="RunConfiguration.Merge(RunOverrides)"/> and <see cref="Apply(TrainingOptions)"/>.
/// </summary>
public sealed record RunOverrides
{
    /// <summary>Canonical model name; on resume it must match the checkpoint's.</summary>
    public string? Model { get; init; }

    /// <summary>Data spec.</summary>
    public string? Data { get; init; }

    /// <summary><see cref="TrainingOptions.Epochs"/>.</summary>
    public int? Epochs { get; init; }

    /// <summary><see cref="TrainingOptions.BatchSize"/>.</summary>
    public int? BatchSize { get; init; }

    /// <summary><see cref="TrainingOptions.Optimizer"/> (a resume must keep the checkpoint's).</summary>
    public OptimizerKind? Optimizer { get; init; }

    /// <summary><see cref="TrainingOptions.LearningRate"/>.</summary>
    public double? LearningRate { get; init; }

    /// <summary><see cref="TrainingOptions.BackboneLearningRate"/>.</summary>
    public double? BackboneLearningRate { get; init; }

    /// <summary><see cref="TrainingOptions.WeightDecay"/>.</summary>
    public double? WeightDecay { get; init; }

    /// <summary><see cref="TrainingOptions.Momentum"/>.</summary>
    public double? Momentum { get; init; }

    /// <summary><see cref="TrainingOptions.Schedule"/>.</summary>
    public ScheduleKind? Schedule { get; init; }

    /// <summary><see cref="TrainingOptions.WarmupEpochs"/>.</summary>
    public double? WarmupEpochs { get; init; }

    /// <summary><see cref="TrainingOptions.LabelSmoothing"/>.</summary>
    public double? LabelSmoothing { get; init; }

    /// <summary><see cref="TrainingOptions.Seed"/>.</summary>
    public long? Seed { get; init; }

    /// <summary><see cref="TrainingOptions.Device"/>.</summary>
    public string? Device { get; init; }

    /// <summary><see cref="TrainingOptions.Threads"/>.</summary>
    public int? Threads { get; init; }

    /// <summary><see cref="TrainingOptions.EarlyStopPatience"/>.</summary>
    public int? EarlyStopPatience { get; init; }

    /// <summary><see cref="TrainingOptions.MaxStepsPerEpoch"/>.</summary>
    public int? MaxStepsPerEpoch { get; init; }

    /// <summary><see cref="TrainingOptions.TensorBoard"/>.</summary>
    public bool? TensorBoard { get; init; }

    /// <summary><see cref="TrainingOptions.ClipGradNorm"/>.</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary><see cref="TrainingOptions.ClipGradValue"/>.</summary>
    public double? ClipGradValue { get; init; }

    /// <summary><see cref="TrainingOptions.AccumulationSteps"/>.</summary>
    public int? AccumulationSteps { get; init; }

    /// <summary><see cref="TrainingOptions.NoDecayNormAndBias"/>.</summary>
    public bool? NoDecayNormAndBias { get; init; }

    /// <summary><see cref="TrainingOptions.EmaDecay"/>.</summary>
    public double? EmaDecay { get; init; }

    /// <summary><see cref="TrainingOptions.EmaWarmup"/>.</summary>
    public bool? EmaWarmup { get; init; }

    /// <summary><see cref="TrainingOptions.MixupAlpha"/>.</summary>
    public double? MixupAlpha { get; init; }

    /// <summary><see cref="TrainingOptions.CutMixAlpha"/>.</summary>
    public double? CutMixAlpha { get; init; }

    /// <summary><see cref="TrainingOptions.MixProbability"/>.</summary>
    public double? MixProbability { get; init; }

    /// <summary><see cref="TrainingOptions.MixSwitchProbability"/>.</summary>
    public double? MixSwitchProbability { get; init; }

    /// <summary><see cref="RunDataOptions.Augment"/>.</summary>
    public string? Augment { get; init; }

    /// <summary><see cref="RunDataOptions.ValidationSplit"/>.</summary>
    public double? ValidationSplit { get; init; }

    /// <summary><see cref="TrainingOptions.Precision"/>.</summary>
    public ComputePrecision? Precision { get; init; }

    /// <summary><see cref="TrainingOptions.ChannelsLast"/>.</summary>
    public bool? ChannelsLast { get; init; }

    /// <summary><see cref="RunDataOptions.OnBadImage"/>.</summary>
    public OnBadImage? OnBadImage { get; init; }

    /// <summary><see cref="RunDataOptions.ImageSize"/>.</summary>
    public int? ImageSize { get; init; }

    /// <summary><see cref="RunDataOptions.Workers"/>.</summary>
    public int? Workers { get; init; }

    /// <summary><paramref name="options"/> with every given training field replaced.</summary>
    public TrainingOptions Apply(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options;
        if (Epochs is int e) o = o with { Epochs = e };
        if (BatchSize is int b) o = o with { BatchSize = b };
        if (Optimizer is OptimizerKind opt) o = o with { Optimizer = opt };
        if (LearningRate is double lr) o = o with { LearningRate = lr };
        if (BackboneLearningRate is double blr) o = o with { BackboneLearningRate = blr };
        if (WeightDecay is double wd) o = o with { WeightDecay = wd };
        if (Momentum is double m) o = o with { Momentum = m };
        if (Schedule is ScheduleKind sch) o = o with { Schedule = sch };
        if (WarmupEpochs is double w) o = o with { WarmupEpochs = w };
        if (LabelSmoothing is double ls) o = o with { LabelSmoothing = ls };
        if (Seed is long seed) o = o with { Seed = seed };
        if (Device is not null) o = o with { Device = Device };
        if (Threads is int t) o = o with { Threads = t };
        if (EarlyStopPatience is int p) o = o with { EarlyStopPatience = p };
        if (MaxStepsPerEpoch is int ms) o = o with { MaxStepsPerEpoch = ms };
        if (TensorBoard is bool tb) o = o with { TensorBoard = tb };
        if (ClipGradNorm is double cgn) o = o with { ClipGradNorm = cgn };
        if (ClipGradValue is double cgv) o = o with { ClipGradValue = cgv };
        if (AccumulationSteps is int acc) o = o with { AccumulationSteps = acc };
        if (NoDecayNormAndBias is bool nd) o = o with { NoDecayNormAndBias = nd };
        if (EmaDecay is double ema) o = o with { EmaDecay = ema };
        if (EmaWarmup is bool ew) o = o with { EmaWarmup = ew };
        if (MixupAlpha is double mix) o = o with { MixupAlpha = mix };
        if (CutMixAlpha is double cut) o = o with { CutMixAlpha = cut };
        if (MixProbability is double mp) o = o with { MixProbability = mp };
        if (MixSwitchProbability is double msp) o = o with { MixSwitchProbability = msp };
        if (Precision is ComputePrecision precision) o = o with { Precision = precision };
        if (ChannelsLast is bool cl) o = o with { ChannelsLast = cl };
        return o;
    }

    /// <summary><paramref name="options"/> with every given data field replaced.</summary>
    public RunDataOptions Apply(RunDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with
        {
            Augment = Augment ?? options.Augment,
            ValidationSplit = ValidationSplit ?? options.ValidationSplit,
            OnBadImage = OnBadImage ?? options.OnBadImage,
            ImageSize = ImageSize ?? options.ImageSize,
            Workers = Workers ?? options.Workers,
        };
    }
}
