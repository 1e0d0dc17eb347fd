using ModelZoo.Data.Imaging;

namespace ModelZoo.Data.Folders;

/// <summary>
/// A set of image files with class labels, decoded on demand by a shared <see cref="SafeImageDecoder"/>
/// (thread-safe; concurrent decodes bounded by the decoder). Build one with <see cref="ImageFolder"/>.
/// </summary>
/// <remarks>
/// Under <see cref="OnBadImage.Skip"/> a file that passed the load-time preflight but fails to decode during training
/// (damaged scan data, or changed since) is dropped from its batch by <see cref="DataLoader"/>, recorded here
/// (<see cref="Skipped"/>, <see cref="ImageSkipped"/>) and counted with the load-time skips against
/// <see cref="ImageFolderOptions.MaxBadFraction"/>; later reads of it fail at once, without decoding it again.
/// </remarks>
public sealed class ImageFolderDataset : IImageDataset, ISkipsBadSamples
{
    private readonly string[] _paths;
    private readonly int[] _labels;
    private readonly SafeImageDecoder _decoder;
    private readonly OnBadImage _onBadImage;
    private readonly double _maxBadFraction;
    private readonly string _where;
    private readonly int _totalFiles;
    private readonly object _gate = new();
    private readonly List<SkippedImage> _skipped;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, BadImageException> _failed = new(StringComparer.Ordinal);

    /// <summary>Creates a data set over explicit files.</summary>
    /// <param name="paths">The image files.</param>
    /// <param name="labels">The class index of each file.</param>
    /// <param name="classNames">Class names.</param>
    /// <param name="decoder">The decoder (its channel count is this set's).</param>
    /// <param name="skipped">Files left out at load time, for reporting.</param>
    /// <param name="onBadImage">What to do with a file that fails to decode during training (<see cref="OnBadImage.Skip"/>: drop it from its batch).</param>
    /// <param name="maxBadFraction">Largest fraction of the set's files (kept and <paramref name="skipped"/>) that may be bad under <see cref="OnBadImage.Skip"/>.</param>
    /// <param name="where">The folder, for messages; null for the first file's folder.</param>
    /// <exception cref="ArgumentException">Lengths differ or a label is out of range.</exception>
    public ImageFolderDataset(
        IReadOnlyList<string> paths,
        IReadOnlyList<int> labels,
        IReadOnlyList<string> classNames,
        SafeImageDecoder decoder,
        IReadOnlyList<SkippedImage>? skipped = null,
        OnBadImage onBadImage = OnBadImage.Fail,
        double maxBadFraction = 0.01,
        string? where = null)
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
        _skipped = skipped?.ToList() ?? [];
        _totalFiles = _paths.Length + _skipped.Count;
        _onBadImage = onBadImage;
        _maxBadFraction = maxBadFraction;
        _where = where ?? (_paths.Length > 0 ? Path.GetDirectoryName(_paths[0]) ?? "" : "");
    }

    /// <inheritdoc />
    public int Count => _paths.Length;

    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc />
    public int Channels => _decoder.Options.Channels;

    /// <summary>The image files, in sample order.</summary>
    public IReadOnlyList<string> Paths => _paths;

    /// <summary>
    /// Files that were found but left out (bad images under <see cref="OnBadImage.Skip"/>), with the reason: those
    /// refused at load time, then those that failed to decode during training, in the order the loader met them.
    /// </summary>
    public IReadOnlyList<SkippedImage> Skipped
    {
        get
        {
            lock (_gate) return [.. _skipped];
        }
    }

    /// <summary>Raised when a file that passed the load-time checks is found bad during training (on the loader's consumer thread, in batch order).</summary>
    public event Action<SkippedImage>? ImageSkipped;

    /// <inheritdoc />
    public bool SkipsBadSamples => _onBadImage == OnBadImage.Skip;

    /// <inheritdoc />
    public void RecordBadSample(int index, BadImageException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var image = new SkippedImage(_paths[index], error.Reason);
        List<SkippedImage> bad;
        lock (_gate)
        {
            if (_skipped.Any(s => s.Path == image.Path)) return;
            _skipped.Add(image);
            bad = [.. _skipped];
        }
        ImageSkipped?.Invoke(image);
        if (bad.Count > _maxBadFraction * _totalFiles) throw ImageFolder.TooManyBad(_where, bad, _totalFiles, _maxBadFraction);
    }

    /// <summary>The decoder used by <see cref="Get"/>.</summary>
    public SafeImageDecoder Decoder => _decoder;

    /// <inheritdoc />
    public int LabelOf(int index) => _labels[index];

    /// <inheritdoc />
    /// <exception cref="BadImageException">The file is missing or bad now (for instance changed since loading); names the path.</exception>
    public ImageSample Get(int index)
    {
        string path = _paths[index];
        if (_failed.TryGetValue(path, out var known)) throw new BadImageException(path, known.Reason, known);
        try
        {
            return new(_decoder.Decode(path), _labels[index]);
        }
        catch (BadImageException e) when (SkipsBadSamples)
        {
            _failed.TryAdd(path, e);
            throw;
        }
    }

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
