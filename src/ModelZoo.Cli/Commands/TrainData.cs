using ModelZoo.Data;

namespace ModelZoo.Cli.Commands;

/// <summary>Opened data for a train run.</summary>
/// <param name="Train">Training batches.</param>
/// <param name="Validation">Validation batches, if any.</param>
/// <param name="ClassNames">Class names.</param>
/// <param name="Normalization">Normalisation applied to the inputs.</param>
/// <param name="Channels">Input channels.</param>
/// <param name="ImageSize">Input height and width.</param>
/// <param name="Description">One line for the start banner (sizes, skipped files).</param>
/// <param name="Resources">Disposed when training ends (loaders), if any.</param>
/// <param name="BadImages">Files left out as undecodable (<c>--on-bad-image skip</c>), with the reason; written to the run folder.</param>
public sealed record TrainData(
    IBatchSource Train,
    IBatchSource? Validation,
    IReadOnlyList<string> ClassNames,
    Normalization Normalization,
    int Channels,
    int ImageSize,
    string Description,
    IDisposable? Resources = null,
    IReadOnlyList<ModelZoo.Data.Folders.SkippedImage>? BadImages = null);
