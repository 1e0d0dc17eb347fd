using ModelZoo.Data;

namespace ModelZoo.Training;

/// <summary>What the trainer records about the model and its data in every checkpoint and in config.json.</summary>
/// <param name="ModelName">Canonical zoo name (or any name when the model is not from the zoo; <see cref="Checkpoint.LoadModel(string)"/> then cannot rebuild it).</param>
/// <param name="ModelOptions">The options the model was built with.</param>
/// <param name="ClassNames">Class names of the data set.</param>
/// <param name="Normalization">Input normalisation.</param>
/// <param name="Channels">Input channels.</param>
/// <param name="ImageSize">Input height and width.</param>
/// <param name="DataSpec">The data spec, for the record.</param>
public sealed record ModelDescriptor(
    string ModelName,
    ModelOptions ModelOptions,
    IReadOnlyList<string> ClassNames,
    Normalization Normalization,
    int Channels,
    int ImageSize,
    string DataSpec);
