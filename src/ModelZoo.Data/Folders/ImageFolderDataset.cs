using ModelZoo.Data.Imaging;

namespace ModelZoo.Data.Folders;

/// <summary>
/// A set of image files with class labels, decoded on demand by a shared <see cref="SafeImageDecoder"/>
/// (thread-safe; concurrent decodes bounded by the decoder). Build one with <see cref="ImageFolder"/>.
/// </summary>
public sealed class ImageFolderDataset : IImageDataset
{
    private readonly string[] _paths;
    private readonly int[] _labels;
    private readonly SafeImageDecoder _decoder;

    /// <summary>Creates a data set over explicit files.</summary>
    /// <param name="paths">The image files.</param>
    /// <param name="labels">The class index of each file.</param>
    /// <param name="classNames">Class names.</param>
    /// <param name="decoder">The decoder (its channel count is this set's).</param>
    /// <param name="skipped">Files left out at load time, for reporting.</param>
    /// <exception cref="ArgumentException">Lengths differ or a label is out of range.</exception>
    public ImageFolderDataset(
        IReadOnlyList<string> paths,
        IReadOnlyList<int> labels,
        IReadOnlyList<string> classNames,
        SafeImageDecoder decoder,
        IReadOnlyList<SkippedImage>? skipped = null)
    {
        if (paths.Count != labels.Count)
            throw new ArgumentException($"{paths.Count} paths but {labels.Count} labels");
        foreach (int l in labels)
        {
            if (l < 0 || l >= classNames.Count)
                throw new ArgumentException($"label {l} out of range for {classNames.Count} classes");
        }

        _paths = paths.ToArray();
        _labels = labels.ToArray();
        ClassNames = classNames.ToArray();
        _decoder = decoder;
        Skipped = skipped?.ToArray() ?? [];
    }

    /// <inheritdoc />
    public int Count => _paths.Length;

    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc />
    public int Channels => _decoder.Options.Channels;

    /// <summary>The image files, in sample order.</summary>
    public IReadOnlyList<string> Paths => _paths;

    /// <summary>Files that were found but left out (bad images under <see cref="OnBadImage.Skip"/>), with the reason.</summary>
    public IReadOnlyList<SkippedImage> Skipped { get; }

    /// <summary>The decoder used by <see cref="Get"/>.</summary>
    public SafeImageDecoder Decoder => _decoder;

    /// <inheritdoc />
    public int LabelOf(int index) => _labels[index];

    /// <inheritdoc />
    /// <exception cref="BadImageException">The file is missing or bad now (for instance changed since loading); names the path.</exception>
    public ImageSample Get(int index) => new(_decoder.Decode(_paths[index]), _labels[index]);

    /// <inheritdoc />
    public string Describe(int index) => _paths[index];

    /// <summary>Number of samples per class, indexed by label.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassNames.Count];
        foreach (int l in _labels) counts[l]++;
        return counts;
    }
}
