namespace ModelZoo.Data;

/// <summary>What a data spec holds, known before any batch is made: what training policy needs to choose a batch size and an input.</summary>
/// <param name="TrainSamples">Training images (all processes together).</param>
/// <param name="ValidationSamples">Validation images, or null when there is no validation split.</param>
/// <param name="ClassNames">Class names by label.</param>
/// <param name="Channels">Input channels.</param>
/// <param name="ImageSize">The square input size the data will be given at.</param>
/// <param name="Normalization">Per-channel statistics the inputs are normalised with.</param>
/// <param name="MnistLike">Small in-memory grey images (the MNIST family or an IDX folder) rather than an image folder.</param>
public sealed record DataFacts(
    int TrainSamples,
    int? ValidationSamples,
    IReadOnlyList<string> ClassNames,
    int Channels,
    int ImageSize,
    Normalization Normalization,
    bool MnistLike);
