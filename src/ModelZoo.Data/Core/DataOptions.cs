using ModelZoo.Data.Folders;
using ModelZoo.Data.Mnist;

namespace ModelZoo.Data;

/// <summary>Options for resolving a data spec.</summary>
/// <param name="ValSplit">
/// Fraction of the training data held out (stratified, seeded) as validation. 0: use the data set's own
/// validation/test split (MNIST family: the test files; a folder of IDX files without test files holds out 10%).
/// </param>
/// <param name="Seed">Seed for the validation split.</param>
/// <param name="Download">Cache, mirrors, timeouts and offline mode for MNIST-family downloads; null: defaults.</param>
/// <param name="FolderLoader">Loader for ImageNet-format folders; null: <see cref="DataSpec.LoadImageFolder"/>.</param>
/// <param name="Folder">Options for ImageNet-format folders (channels, bad-image policy, decoder limits); its ValSplit and Seed are replaced by this record's.</param>
/// <param name="UseSystemCopies">Use system-installed copies (e.g. <c>/usr/share/datasets/fashion-mnist</c>) when present.</param>
public sealed record DataOptions(
    double ValSplit = 0,
    int Seed = 0,
    DownloadOptions? Download = null,
    FolderDataLoader? FolderLoader = null,
    ImageFolderOptions? Folder = null,
    bool UseSystemCopies = true)
{
    /// <summary>The defaults.</summary>
    public static DataOptions Default { get; } = new();
}
