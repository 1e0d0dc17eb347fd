using ModelZoo.Data;

namespace ModelZoo.Training.Experiments;

/// <summary>The data a variant trains and is tested on (every variant of an experiment gets the same, but for its augmentation).</summary>
/// <param name="Train">Training batches (shuffled with the experiment's seed).</param>
/// <param name="Validation">Test batches, evaluated after every epoch.</param>
/// <param name="ClassNames">Class ids.</param>
/// <param name="Normalization">Input normalisation.</param>
/// <param name="Channels">Input channels.</param>
/// <param name="ImageSize">Input height and width.</param>
/// <param name="DataSpec">The data spec, for the record.</param>
internal sealed record ExperimentData(
    IBatchSource Train,
    IBatchSource Validation,
    IReadOnlyList<string> ClassNames,
    Normalization Normalization,
    int Channels,
    int ImageSize,
    string DataSpec);
