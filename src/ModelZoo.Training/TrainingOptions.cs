namespace ModelZoo.Training;

/// <summary>
/// Everything that controls one training run (not the model, not the data). Defaults suit a small
/// MNIST run; <see cref="TrainingDefaults.For"/> gives the documented recipe per model and data set.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Number of epochs (passes over the training set).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Mini-batch size (informational here: the batch source decides; recorded in config.json).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>The optimiser.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Base (peak) learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Weight decay (L2 for SGD/AdaGrad/Adam, decoupled for AdamW).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Momentum for <see cref="OptimizerKind.Momentum"/> and <see cref="OptimizerKind.Nesterov"/>.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Learning-rate schedule.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;

    /// <summary>Epochs of linear warm-up from 0 to the base rate (ignored by <see cref="ScheduleKind.OneCycle"/>, which has its own ramp).</summary>
    public double WarmupEpochs { get; init; }

    /// <summary><see cref="ScheduleKind.Step"/>: epochs between decays.</summary>
    public int StepEpochs { get; init; } = 30;

    /// <summary><see cref="ScheduleKind.Step"/>: decay factor.</summary>
    public double StepGamma { get; init; } = 0.1;

    /// <summary>Label smoothing of the cross-entropy loss, in [0, 1).</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Seed of the torch generator (dropout, init) for the run.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>"cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Intra-op CPU threads for torch; null leaves torch's setting alone.</summary>
    public int? Threads { get; init; }

    /// <summary>Stop when the validation accuracy (or training loss without validation) has not improved for this many epochs; null never stops early.</summary>
    public int? EarlyStopPatience { get; init; }

    /// <summary>
    /// Train the classifier only (fine-tuning): the trainer freezes every parameter outside the model card's head and
    /// keeps the backbone's batch-norm statistics fixed (see <c>PretrainedWeights.FreezeBackbone</c>). Recorded in
    /// checkpoints, so a resumed run freezes the same parameters.
    /// </summary>
    public bool FreezeBackbone { get; init; }

    /// <summary>
    /// Discriminative learning rate for fine-tuning: the peak rate of every parameter outside the model card's head
    /// (the head keeps <see cref="LearningRate"/>); the schedule scales both alike. Null trains everything at
    /// <see cref="LearningRate"/>. Not with <see cref="FreezeBackbone"/>.
    /// </summary>
    public double? BackboneLearningRate { get; init; }

    /// <summary>
    /// Clip the gradients' total L2 norm to this value before every optimiser step (after unscaling and after the
    /// <see cref="Trainer.GradientHooks"/>); null does not clip by norm.
    /// </summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>Clamp every gradient element to [-value, value] before every optimiser step (after norm clipping); null does not clip by value.</summary>
    public double? ClipGradValue { get; init; }

    /// <summary>
    /// Gradient accumulation: micro-batches per optimiser step (each micro-batch's loss divided by their count, so the
    /// step sees the mean over all of them). The schedule and <see cref="MaxStepsPerEpoch"/> count optimiser steps;
    /// an epoch whose batch count is not a multiple ends with a shorter accumulation. 1: a step per batch.
    /// </summary>
    public int AccumulationSteps { get; init; } = 1;

    /// <summary>
    /// Weight decay only on weights of rank 2 and up: biases and normalisation parameters (every parameter of rank 0
    /// or 1) go to a group with weight decay 0 (timm's default). Composes with <see cref="BackboneLearningRate"/>.
    /// </summary>
    public bool NoDecayNormAndBias { get; init; }

    /// <summary>
    /// Model EMA: decay of an exponential moving average of the weights, updated after every optimiser step (buffers
    /// copied), validated each epoch beside the raw model and saved in checkpoints; null keeps no average.
    /// </summary>
    public double? EmaDecay { get; init; }

    /// <summary>
    /// Warm the EMA decay up as timm's ModelEmaV3 does: after optimiser step t (1-based) the decay is
    /// min(<see cref="EmaDecay"/>, 1 - (1 + t - 1)^(-2/3)), 0 at the first step (the average starts as a copy).
    /// </summary>
    public bool EmaWarmup { get; init; }

    /// <summary>Mixup: alpha of the Beta(alpha, alpha) mixing weight; 0 turns mixup off.</summary>
    public double MixupAlpha { get; init; }

    /// <summary>CutMix: alpha of the Beta(alpha, alpha) area weight; 0 turns CutMix off.</summary>
    public double CutMixAlpha { get; init; }

    /// <summary>Probability that a batch is mixed at all (mixup or CutMix).</summary>
    public double MixProbability { get; init; } = 1.0;

    /// <summary>With both mixup and CutMix on: probability that a mixed batch uses CutMix rather than mixup.</summary>
    public double MixSwitchProbability { get; init; } = 0.5;

    /// <summary>Stop each epoch after this many optimiser steps (CI-sized runs); null runs whole epochs.</summary>
    public int? MaxStepsPerEpoch { get; init; }

    /// <summary>Evaluate on the validation source after every epoch (when one is given).</summary>
    public bool ValidateEachEpoch { get; init; } = true;

    /// <summary>Write TensorBoard event files into the run directory.</summary>
    public bool TensorBoard { get; init; } = true;


    /// <summary>
    /// Compute precision of the forward pass (<c>--precision</c>): bf16 or fp16 run it under <see cref="Autocast"/>
    /// with float32 master weights (<see cref="MixedPrecisionPolicy"/>; fp16 adds dynamic loss scaling).
    /// </summary>
    public ComputePrecision Precision { get; init; } = ComputePrecision.Fp32;

    /// <summary>
    /// Channels-last (NHWC) memory format (<c>--channels-last</c>; see <see cref="ModelZoo.ChannelsLast"/>): the
    /// weights (and so their gradients and the optimiser state) and every batch are laid out NHWC, as PyTorch's
    /// <c>model.to(memory_format=torch.channels_last)</c>, and gradients are dropped rather than zeroed between steps.
    /// Checkpoints hold the standard layout either way.
    /// </summary>
    public bool ChannelsLast { get; init; }

    /// <summary>True when batches are mixed (<see cref="MixupAlpha"/> or <see cref="CutMixAlpha"/> above 0 and <see cref="MixProbability"/> above 0).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool MixesBatches => (MixupAlpha > 0 || CutMixAlpha > 0) && MixProbability > 0;

    /// <summary>Checks the options and throws <see cref="ArgumentException"/> naming the bad one (as its C# property).</summary>
    public void EnsureValid()
    {
        if (Problems().FirstOrDefault() is { } problem) throw new ArgumentException(problem.FormatForCode());
    }

    /// <summary>What is wrong with the options (paths under <c>training.</c>); empty when valid. <see cref="RunSpec.Problems"/> includes them.</summary>
    public IEnumerable<RunSpecProblem> Problems()
    {
        static RunSpecProblem P(string field, string rest) => new("training." + field, $"{{training.{field}}} {rest}");
        static bool PositiveFinite(double v) => v > 0 && !double.IsInfinity(v);
        if (Epochs < 1) yield return P("epochs", $"must be at least 1, got {Epochs}");
        if (BatchSize < 1) yield return P("batchSize", $"must be at least 1, got {BatchSize}");
        if (!PositiveFinite(LearningRate)) yield return P("learningRate", $"must be positive and finite, got {LearningRate}");
        if (BackboneLearningRate is double blr && !PositiveFinite(blr)) yield return P("backboneLearningRate", $"must be positive and finite, got {blr}");
        if (BackboneLearningRate is not null && FreezeBackbone)
            yield return new("training.backboneLearningRate", "{training.backboneLearningRate} and {training.freezeBackbone} exclude each other: a frozen backbone has no learning rate");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) yield return P("weightDecay", $"must be non-negative, got {WeightDecay}");
        if (!(Momentum is >= 0 and < 1)) yield return P("momentum", $"must be in [0, 1), got {Momentum}");
        if (!(WarmupEpochs >= 0) || double.IsInfinity(WarmupEpochs)) yield return P("warmupEpochs", $"must be non-negative, got {WarmupEpochs}");
        if (!(LabelSmoothing is >= 0 and < 1)) yield return P("labelSmoothing", $"must be in [0, 1), got {LabelSmoothing}");
        if (StepEpochs < 1) yield return P("stepEpochs", $"must be at least 1, got {StepEpochs}");
        if (!(StepGamma > 0) || double.IsInfinity(StepGamma)) yield return P("stepGamma", $"must be positive and finite, got {StepGamma}");
        if (Threads is < 1) yield return P("threads", $"must be at least 1, got {Threads}");
        if (Threads > MaxThreads) yield return P("threads", $"{Threads} is far more than this machine's {Environment.ProcessorCount} cores; give at most {MaxThreads}");
        if (!DeviceSelector.IsDeviceName(Device)) yield return P("device", $"must be cpu, cuda or cuda:N, not '{Device}'");
        if (EarlyStopPatience is < 1) yield return P("earlyStopPatience", $"must be at least 1, got {EarlyStopPatience}");
        if (MaxStepsPerEpoch is < 1) yield return P("maxStepsPerEpoch", $"must be at least 1, got {MaxStepsPerEpoch}");
        if (ClipGradNorm is double cn && !PositiveFinite(cn)) yield return P("clipGradNorm", $"must be positive and finite, got {cn}");
        if (ClipGradValue is double cv && !PositiveFinite(cv)) yield return P("clipGradValue", $"must be positive and finite, got {cv}");
        if (AccumulationSteps < 1) yield return P("accumulationSteps", $"must be at least 1, got {AccumulationSteps}");
        if (EmaDecay is double ed && !(ed is >= 0 and < 1)) yield return P("emaDecay", $"must be in [0, 1), got {ed}");
        if (EmaWarmup && EmaDecay is null) yield return new("training.emaWarmup", "{training.emaWarmup} needs {training.emaDecay}");
        if (!(MixupAlpha >= 0) || double.IsInfinity(MixupAlpha)) yield return P("mixupAlpha", $"must be non-negative and finite, got {MixupAlpha}");
        if (!(CutMixAlpha >= 0) || double.IsInfinity(CutMixAlpha)) yield return P("cutMixAlpha", $"must be non-negative and finite, got {CutMixAlpha}");
        if (!(MixProbability is >= 0 and <= 1)) yield return P("mixProbability", $"must be in [0, 1], got {MixProbability}");
        if (!(MixSwitchProbability is >= 0 and <= 1)) yield return P("mixSwitchProbability", $"must be in [0, 1], got {MixSwitchProbability}");
        if (!Enum.IsDefined(Optimizer)) yield return P("optimizer", $"is not an optimiser: {Optimizer}");
        if (!Enum.IsDefined(Schedule)) yield return P("schedule", $"is not a schedule: {Schedule}");
        if (!Enum.IsDefined(Precision)) yield return P("precision", $"is not a precision: {Precision}");
    }

    /// <summary>The most CPU threads accepted: a sane multiple of the cores (more only oversubscribes them).</summary>
    public static int MaxThreads => Math.Max(64, 8 * Environment.ProcessorCount);
}
