namespace ModelZoo.Data;

/// <summary>A resolved data spec: the splits to train and evaluate on, and what travels with a checkpoint.</summary>
/// <param name="Train">Training samples.</param>
/// <param name="Validation">Samples evaluated during training (MNIST family: the test split unless a validation split was carved from training).</param>
/// <param name="Test">A held-out test split when the data set has one besides <paramref name="Validation"/>, else null.</param>
/// <param name="ClassNames">Class names by label.</param>
/// <param name="Normalization">Per-channel statistics to normalise with.</param>
/// <param name="Kind">MNIST-like or folder.</param>
/// <param name="NativeSize">The images' own size (for folders: the size the folder loader reports, e.g. a typical or fixed size).</param>
/// <param name="Description">Where the data came from, for logs (e.g. "mnist (cache /home/u/.cache/modelzoo/mnist)").</param>
public sealed record DataSplit(
    IImageDataset Train,
    IImageDataset Validation,
    IImageDataset? Test,
    IReadOnlyList<string> ClassNames,
    Normalization Normalization,
    DataKind Kind,
    ImageShape NativeSize,
    string Description);
