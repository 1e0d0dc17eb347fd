using ModelZoo.Blocks;

namespace ModelZoo.Training.Experiments;

/// <summary>One arm of an experiment: everything but the variable under study is the experiment's shared setting.</summary>
public sealed record ExperimentVariant
{
    /// <summary>Short name (a CSV key and legend entry), e.g. <c>adam</c>.</summary>
    public required string Name { get; init; }

    /// <summary>What the arm is, for legends and the summary (e.g. "Adam lr 0.001").</summary>
    public required string Label { get; init; }

    /// <summary>The zoo model trained, or <see cref="TwoConvCnn.ModelName"/> for the experiment-local 2-conv CNN.</summary>
    public string Model { get; init; } = "deepcnn";

    /// <summary>Weight initialisation.</summary>
    public InitScheme Init { get; init; } = InitScheme.Default;

    /// <summary>Optimiser.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Momentum (momentum and Nesterov optimisers).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Augmentation preset of the training split (<c>none</c>, <c>mnist</c>, ...).</summary>
    public string Augment { get; init; } = "none";
}
