using ModelZoo.Data.Folders;

namespace ModelZoo.Data;

/// <summary>Opened data of a training run: the batch sources and what travels with the model (classes, normalisation, input).</summary>
/// <param name="Train">Training batches.</param>
/// <param name="Validation">Validation batches, if any.</param>
/// <param name="ClassNames">Class names.</param>
/// <param name="Normalization">Normalisation applied to the inputs.</param>
/// <param name="Channels">Input channels.</param>
/// <param name="ImageSize">Input height and width.</param>
/// <param name="Description">One line for a start banner (sizes, augmentation, loader).</param>
/// <param name="Resources">Disposed with the data (loaders), if any.</param>
/// <param name="BadImages">Files left out as undecodable (<see cref="OnBadImage.Skip"/>), with the reason.</param>
/// <param name="Augment">The augmentation preset the training batches get.</param>
public sealed record TrainingData(
    IBatchSource Train,
    IBatchSource? Validation,
    IReadOnlyList<string> ClassNames,
    Normalization Normalization,
    int Channels,
    int ImageSize,
    string Description,
    IDisposable? Resources = null,
    IReadOnlyList<SkippedImage>? BadImages = null,
    string? Augment = null) : IDisposable
{
    /// <summary>What <see cref="IDataProvider.Describe"/> would say of this data.</summary>
    public DataFacts Facts(bool mnistLike) => new(Train.SamplesPerEpoch, Validation?.SamplesPerEpoch, ClassNames, Channels, ImageSize, Normalization, mnistLike);

    /// <inheritdoc />
    public void Dispose() => Resources?.Dispose();
}
