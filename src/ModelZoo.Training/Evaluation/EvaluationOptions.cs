using ModelZoo.Training;

namespace ModelZoo.Evaluation;

/// <summary>Options of <see cref="Evaluator"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>The k of top-k accuracy (top-5 by default; clamped to the number of classes).</summary>
    public int TopK { get; init; } = 5;

    /// <summary>How many misclassified samples to keep for the figure (the most confident mistakes first).</summary>
    public int MaxMisclassified { get; init; } = 64;

    /// <summary>How many of the highest-loss samples to keep (<see cref="EvaluationReport.TopLosses"/>; with details, in one process only).</summary>
    public int MaxTopLosses { get; init; } = 16;

    /// <summary>Device to run on; null means the device of the first model's parameters (CPU if it has none).</summary>
    public TorchSharp.torch.Device? Device { get; init; }

    /// <summary>
    /// Collect the confusion matrix, per-class metrics and misclassified samples (true by default). False is the cheap
    /// path of per-epoch validation: loss, top-1 and top-k only, and the report's per-class lists are empty.
    /// </summary>
    public bool Details { get; init; } = true;

    /// <summary>Receives a "val" progress report every 10 batches (epoch fields 0); null reports nothing.</summary>
    public Action<TrainingProgress>? Progress { get; init; }

    /// <summary>
    /// The processes sharing the evaluation (each gives its shard of the data, e.g. a loader with
    /// <c>DataLoaderOptions.Rank</c>/<c>WorldSize</c>); null is one process. Every process gets the report of the whole
    /// data: loss and counts, the confusion matrix and the most confident mistakes are combined across them.
    /// </summary>
    public IProcessGroup? ProcessGroup { get; init; }

    /// <summary>Compute precision of the forward passes (under <see cref="Autocast"/>); scores and the loss are float32 either way.</summary>
    public ComputePrecision Precision { get; init; } = ComputePrecision.Fp32;

    /// <summary>Give the models their batches in channels-last memory format (the layers' outputs follow; weights are left as they are).</summary>
    public bool ChannelsLast { get; init; }
}
