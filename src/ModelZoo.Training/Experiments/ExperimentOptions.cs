namespace ModelZoo.Training.Experiments;

/// <summary>The settings every variant of an experiment shares (so that only the variable under study differs).</summary>
public sealed record ExperimentOptions
{
    /// <summary>The data spec every variant trains and is tested on (its test or validation split); default <c>mnist-sample</c>.</summary>
    public string Data { get; init; } = "mnist-sample";

    /// <summary>Epochs per variant.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>At most this many steps per epoch (null: the whole training split).</summary>
    public int? MaxStepsPerEpoch { get; init; }

    /// <summary>Seed of the weights, the shuffling, augmentation and dropout: the same for every variant.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Torch CPU threads (null: torch's default).</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Classifier dropout of the models; default 0. deepcnn's own default (the book's 0.5, on its logits) adds so much
    /// noise to the training loss that short runs mostly show the noise; null uses each model's default.
    /// </summary>
    public double? Dropout { get; init; } = 0;

    /// <summary>Device (<c>cpu</c>, <c>cuda</c>).</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Compute precision of the forward pass (<see cref="TrainingOptions.Precision"/>); fp32 by default.</summary>
    public ComputePrecision Precision { get; init; } = ComputePrecision.Fp32;

    /// <summary>Channels-last memory format (<see cref="TrainingOptions.ChannelsLast"/>); off by default.</summary>
    public bool ChannelsLast { get; init; }
}
