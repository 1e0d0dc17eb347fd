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

    /// <summary>Stop each epoch after this many optimiser steps (CI-sized runs); null runs whole epochs.</summary>
    public int? MaxStepsPerEpoch { get; init; }

    /// <summary>Evaluate on the validation source after every epoch (when one is given).</summary>
    public bool ValidateEachEpoch { get; init; } = true;

    /// <summary>Write TensorBoard event files into the run directory.</summary>
    public bool TensorBoard { get; init; } = true;

    /// <summary>Report progress every this many steps.</summary>
    public int ProgressInterval { get; init; } = 10;

    /// <summary>Checks the options and throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void EnsureValid()
    {
        if (Epochs < 1) throw new ArgumentException($"Epochs must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"LearningRate must be positive and finite, got {LearningRate}");
        if (BackboneLearningRate is double blr && (!(blr > 0) || double.IsInfinity(blr))) throw new ArgumentException($"BackboneLearningRate must be positive and finite, got {blr}");
        if (BackboneLearningRate is not null && FreezeBackbone) throw new ArgumentException("BackboneLearningRate and FreezeBackbone exclude each other: a frozen backbone has no learning rate");
        if (WeightDecay < 0) throw new ArgumentException($"WeightDecay must be non-negative, got {WeightDecay}");
        if (Momentum is < 0 or >= 1) throw new ArgumentException($"Momentum must be in [0, 1), got {Momentum}");
        if (WarmupEpochs < 0) throw new ArgumentException($"WarmupEpochs must be non-negative, got {WarmupEpochs}");
        if (LabelSmoothing is < 0 or >= 1) throw new ArgumentException($"LabelSmoothing must be in [0, 1), got {LabelSmoothing}");
        if (StepEpochs < 1) throw new ArgumentException($"StepEpochs must be at least 1, got {StepEpochs}");
        if (Threads is < 1) throw new ArgumentException($"Threads must be at least 1, got {Threads}");
        if (EarlyStopPatience is < 1) throw new ArgumentException($"EarlyStopPatience must be at least 1, got {EarlyStopPatience}");
        if (MaxStepsPerEpoch is < 1) throw new ArgumentException($"MaxStepsPerEpoch must be at least 1, got {MaxStepsPerEpoch}");
        if (ProgressInterval < 1) throw new ArgumentException($"ProgressInterval must be at least 1, got {ProgressInterval}");
    }
}
