using ModelZoo.Data.Folders;
using ModelZoo.Data.Idx;
using ModelZoo.Data.Mnist;

namespace ModelZoo.Data;

/// <summary>
/// Resolves a <c>--data</c> spec: <c>mnist</c>, <c>fashion-mnist</c>, <c>mnist-sample</c>, or a folder. A folder holding
/// IDX files with the standard names loads as MNIST-like data; any other folder is an ImageNet-format folder and goes
/// to the <see cref="FolderDataLoader"/>. Names are matched case-insensitively and win over a folder of the same
/// name (write <c>./mnist</c> for the folder).
/// </summary>
public static class DataSpec
{
    /// <summary>The named specs.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mnist", "fashion-mnist", MnistSample.Name];

    /// <summary>Fashion-MNIST's usual statistics.</summary>
    public static Normalization FashionMnistNormalization { get; } = new([0.2860f], [0.3530f]);

    /// <summary>
    /// True when <paramref name="spec"/> names MNIST-like data (small grey images): one of the MNIST-family names, or a
    /// folder holding IDX files under the standard names. Decided without loading anything; used to pick a recipe.
    /// </summary>
    public static bool IsMnistLike(string spec)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        switch (spec.Trim().ToLowerInvariant())
        {
            case "mnist":
            case "fashion-mnist":
            case "fashionmnist":
            case MnistSample.Name:
                return true;
        }
        string directory = Path.GetFullPath(spec);
        return Directory.Exists(directory) && MnistFiles.Contains(directory);
    }

    /// <summary>Resolves <paramref name="spec"/> (blocking while any download runs).</summary>
    /// <exception cref="ModelZooDataException">The spec is unknown, a file is malformed (<see cref="InvalidIdxFileException"/>), or a download failed (<see cref="DatasetDownloadException"/>).</exception>
    public static DataSplit Resolve(string spec, DataOptions? options = null) =>
        ResolveAsync(spec, options).GetAwaiter().GetResult();

    /// <summary>Resolves <paramref name="spec"/>.</summary>
    /// <exception cref="ModelZooDataException">The spec is unknown, a file is malformed, or a download failed.</exception>
    public static async Task<DataSplit> ResolveAsync(string spec, DataOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= DataOptions.Default;
        if (!(options.ValSplit >= 0 && options.ValSplit < 1))
            throw new ModelZooDataException($"validation split {options.ValSplit} must be in [0, 1)");
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        switch (spec.Trim().ToLowerInvariant())
        {
            case "mnist":
                return await LoadFamilyAsync(MnistFamily.Mnist, options, cancellationToken).ConfigureAwait(false);
            case "fashion-mnist":
            case "fashionmnist":
                return await LoadFamilyAsync(MnistFamily.FashionMnist, options, cancellationToken).ConfigureAwait(false);
            case MnistSample.Name:
            {
                var (train, test) = MnistSample.Load();
                return Compose(train, test, MnistFamily.Mnist.ClassNames, Normalization.Mnist, options, "mnist-sample (bundled 8,000 train / 2,000 test digits)");
            }
        }
        string directory = Path.GetFullPath(spec);
        if (!Directory.Exists(directory))
            throw new ModelZooDataException(
                $"Unknown data spec '{spec}': not one of {string.Join(", ", Names)} and not an existing folder", spec);
        if (MnistFiles.Contains(directory))
        {
            var (train, test) = MnistFiles.Load(directory, MnistFamily.Mnist.ClassNames);
            return Compose(train, test, MnistFamily.Mnist.ClassNames, Normalization.Mnist, options, $"IDX files in {directory}");
        }
        var loader = options.FolderLoader ?? LoadImageFolder;
        return loader(directory, options);
    }

    /// <summary>
    /// Loads an ImageNet-format folder with <see cref="ImageFolder.Load"/>: <c>train/</c> + <c>val/</c> when both exist,
    /// else a stratified seeded split of <see cref="DataOptions.ValSplit"/> (10% when 0). Normalisation: ImageNet
    /// statistics; native size: the channels requested at 224x224 (the usual model input; images vary in size).
    /// </summary>
    /// <exception cref="ModelZooDataException">The folder is unusable (see <see cref="ImageFolder.Load"/>).</exception>
    public static DataSplit LoadImageFolder(string directory, DataOptions options)
    {
        var folderOptions = (options.Folder ?? new ImageFolderOptions()) with
        {
            ValSplit = options.ValSplit > 0 ? options.ValSplit : 0.1,
            Seed = options.Seed,
        };
        var result = ImageFolder.Load(directory, folderOptions);
        var validation = result.Val
            ?? throw new ModelZooDataException($"'{directory}' yielded no validation images", directory);
        string how = result.HasTrainValFolders ? "train/ and val/ folders" : $"{validation.Count:N0} held out of {result.Train.Count + validation.Count:N0} (seed {options.Seed})";
        string skipped = result.Skipped.Count > 0 ? $"; {result.Skipped.Count} bad files skipped" : "";
        return new DataSplit(result.Train, validation, null, result.ClassNames, Normalization.ImageNet.ForChannels(folderOptions.Channels),
            DataKind.Folder, new ImageShape(folderOptions.Channels, 224, 224), $"image folder {directory}; validation: {how}{skipped}");
    }

    /// <summary>
    /// Loads an MNIST-family data set: a system copy when present (and allowed), else the verified cache,
    /// downloading missing files.
    /// </summary>
    /// <exception cref="DatasetDownloadException">A file could not be downloaded.</exception>
    /// <exception cref="InvalidIdxFileException">A file is malformed.</exception>
    public static async Task<DataSplit> LoadFamilyAsync(MnistFamily family, DataOptions options, CancellationToken cancellationToken = default)
    {
        var normalization = family.Name == "fashion-mnist" ? FashionMnistNormalization : Normalization.Mnist;
        if (options.UseSystemCopies && family.SystemDirectory is { } system && MnistFiles.Contains(system))
        {
            var (sysTrain, sysTest) = MnistFiles.Load(system, family.ClassNames);
            return Compose(sysTrain, sysTest, family.ClassNames, normalization, options, $"{family.Name} ({system})");
        }
        var download = options.Download ?? DownloadOptions.Default;
        string directory = Path.Combine(download.CacheDirectory ?? ModelZooHome.CacheDirectory, family.Name);
        var mirrors = download.Mirrors ?? family.Mirrors;
        var paths = new string[4];
        using (var downloader = new FileDownloader(download))
        {
            for (int i = 0; i < 4; i++)
                paths[i] = await downloader.EnsureAsync(family.Files[i], mirrors, directory, cancellationToken).ConfigureAwait(false);
        }
        var limits = IdxReadLimits.Default with { ClassCount = family.ClassNames.Count };
        var train = IdxDataset.Load(paths[0], paths[1], family.ClassNames, limits);
        var test = IdxDataset.Load(paths[2], paths[3], family.ClassNames, limits);
        return Compose(train, test, family.ClassNames, normalization, options, $"{family.Name} (cache {directory})");
    }

    private static DataSplit Compose(IdxDataset train, IdxDataset? test, IReadOnlyList<string> classes, Normalization normalization, DataOptions options, string description)
    {
        var shape = new ImageShape(1, train.Rows, train.Columns);
        if (test is not null && (test.Rows != train.Rows || test.Columns != train.Columns))
            throw new InvalidIdxFileException(test.ImagesName, $"images are {test.Rows}x{test.Columns}, training images are {train.Rows}x{train.Columns}");
        double fraction = options.ValSplit > 0 ? options.ValSplit : test is null ? 0.1 : 0;
        if (fraction > 0)
        {
            var (rest, held) = SubsetDataset.StratifiedSplit(train, fraction, options.Seed);
            return new DataSplit(rest, held, test, classes, normalization, DataKind.MnistLike, shape,
                $"{description}; validation: {held.Count:N0} held out of training (seed {options.Seed})");
        }
        return new DataSplit(train, test!, null, classes, normalization, DataKind.MnistLike, shape, $"{description}; validation: test split");
    }
}
