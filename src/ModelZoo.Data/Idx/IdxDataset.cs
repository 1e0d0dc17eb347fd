namespace ModelZoo.Data.Idx;

/// <summary>
/// An MNIST-like data set held compactly in memory as bytes (one grey channel); <see cref="Get"/> converts
/// one image to a <see cref="FloatImage"/> in [0, 1]. Thread-safe.
/// </summary>
public sealed class IdxDataset : IImageDataset
{
    private readonly byte[] _pixels;
    private readonly byte[] _labels;
    private readonly int _imageSize;

    /// <summary>Pairs images and labels.</summary>
    /// <param name="images">The images.</param>
    /// <param name="labels">One label per image.</param>
    /// <param name="classNames">The class names; every label must index into them.</param>
    /// <param name="imagesName">Where the images come from (for messages).</param>
    /// <param name="labelsName">Where the labels come from (for messages).</param>
    /// <exception cref="InvalidIdxFileException">The counts differ or a label has no class name.</exception>
    public IdxDataset(IdxImages images, byte[] labels, IReadOnlyList<string> classNames, string imagesName, string labelsName)
    {
        if (images.Count != labels.Length)
            throw new InvalidIdxFileException(labelsName,
                $"{labels.Length:N0} labels but '{imagesName}' holds {images.Count:N0} images");
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classNames.Count)
                throw new InvalidIdxFileException(labelsName, $"label {labels[i]} of record {i} has no class name ({classNames.Count} classes)");
        }
        _pixels = images.Pixels;
        _labels = labels;
        Rows = images.Rows;
        Columns = images.Columns;
        _imageSize = Rows * Columns;
        ClassNames = classNames;
        ImagesName = imagesName;
        LabelsName = labelsName;
    }

    /// <summary>Reads and pairs an images file and a labels file (raw or gzip).</summary>
    /// <exception cref="InvalidIdxFileException">Either file is malformed or they do not match.</exception>
    public static IdxDataset Load(string imagesPath, string labelsPath, IReadOnlyList<string> classNames, IdxReadLimits? limits = null)
    {
        limits ??= IdxReadLimits.Default with { ClassCount = classNames.Count };
        var images = IdxReader.ReadImages(imagesPath, limits);
        var labels = IdxReader.ReadLabels(labelsPath, limits);
        return new IdxDataset(images, labels, classNames, imagesPath, labelsPath);
    }

    /// <summary>Image height.</summary>
    public int Rows { get; }

    /// <summary>Image width.</summary>
    public int Columns { get; }

    /// <summary>Where the images come from.</summary>
    public string ImagesName { get; }

    /// <summary>Where the labels come from.</summary>
    public string LabelsName { get; }

    /// <inheritdoc />
    public int Count => _labels.Length;

    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc />
    public int Channels => 1;

    /// <inheritdoc />
    public int LabelOf(int index)
    {
        CheckIndex(index);
        return _labels[index];
    }

    /// <inheritdoc />
    public ImageSample Get(int index)
    {
        CheckIndex(index);
        var data = new float[_imageSize];
        var src = _pixels.AsSpan(index * _imageSize, _imageSize);
        for (int i = 0; i < data.Length; i++) data[i] = src[i] * (1f / 255f);
        return new ImageSample(new FloatImage(1, Rows, Columns, data), _labels[index]);
    }

    /// <summary>The raw bytes of image <paramref name="index"/> (row-major), without copying.</summary>
    public ReadOnlySpan<byte> RawImage(int index)
    {
        CheckIndex(index);
        return _pixels.AsSpan(index * _imageSize, _imageSize);
    }

    /// <inheritdoc />
    public string Describe(int index) => $"{ImagesName} record {index}";

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)_labels.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"index outside 0..{_labels.Length - 1}");
    }
}
