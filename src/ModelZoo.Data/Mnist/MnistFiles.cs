using ModelZoo.Data.Idx;

namespace ModelZoo.Data.Mnist;

/// <summary>Finds and loads the four standard IDX files of an MNIST-like data set.</summary>
public static class MnistFiles
{
    /// <summary>Standard base names, in the order train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> StandardNames { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>
    /// Finds a standard file in <paramref name="directory"/>: the base name, or with <c>.gz</c>, or the
    /// dotted variant some archives use (<c>train-images.idx3-ubyte</c>); null when absent.
    /// </summary>
    public static string? Find(string directory, string baseName)
    {
        string dotted = baseName.Replace("-idx", ".idx", StringComparison.Ordinal);
        foreach (string candidate in new[] { baseName, baseName + ".gz", dotted, dotted + ".gz" })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>True when <paramref name="directory"/> holds at least the training images and labels under standard names.</summary>
    public static bool Contains(string directory) =>
        Directory.Exists(directory) && Find(directory, StandardNames[0]) is not null && Find(directory, StandardNames[1]) is not null;

    /// <summary>Loads (train, test) from a folder with the standard names; test is null when its files are absent.</summary>
    /// <exception cref="ModelZooDataException">Training files are missing, or only one test file is present.</exception>
    /// <exception cref="InvalidIdxFileException">A file is malformed.</exception>
    public static (IdxDataset Train, IdxDataset? Test) Load(string directory, IReadOnlyList<string> classNames)
    {
        string? trainImages = Find(directory, StandardNames[0]);
        string? trainLabels = Find(directory, StandardNames[1]);
        if (trainImages is null || trainLabels is null)
            throw new ModelZooDataException(
                $"'{directory}' does not hold {StandardNames[0]}[.gz] and {StandardNames[1]}[.gz]", directory);
        string? testImages = Find(directory, StandardNames[2]);
        string? testLabels = Find(directory, StandardNames[3]);
        if ((testImages is null) != (testLabels is null))
            throw new ModelZooDataException(
                $"'{directory}' holds only one of {StandardNames[2]} and {StandardNames[3]}", directory);
        var train = IdxDataset.Load(trainImages, trainLabels, classNames);
        var test = testImages is null ? null : IdxDataset.Load(testImages, testLabels!, classNames);
        return (train, test);
    }
}
