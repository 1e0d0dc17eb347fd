namespace ModelZoo.Data;

/// <summary>A view of some samples of another data set (e.g. a validation split carved from training data).</summary>
public sealed class SubsetDataset : IImageDataset, ISkipsBadSamples
{
    private readonly int[] _indices;

    /// <summary>Creates the view; <paramref name="indices"/> index into <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the source.</exception>
    public SubsetDataset(IImageDataset source, IReadOnlyList<int> indices)
    {
        _indices = indices.ToArray();
        foreach (int i in _indices)
        {
            if ((uint)i >= (uint)source.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"index outside 0..{source.Count - 1}");
        }
        Source = source;
    }

    /// <summary>The underlying data set.</summary>
    public IImageDataset Source { get; }

    /// <summary>The source index of sample <paramref name="index"/>.</summary>
    public int SourceIndex(int index) => _indices[index];

    /// <inheritdoc />
    public int Count => _indices.Length;

    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames => Source.ClassNames;

    /// <inheritdoc />
    public int Channels => Source.Channels;

    /// <inheritdoc />
    public int LabelOf(int index) => Source.LabelOf(_indices[index]);

    /// <inheritdoc />
    public ImageSample Get(int index) => Source.Get(_indices[index]);

    /// <inheritdoc />
    public string Describe(int index) => Source.Describe(_indices[index]);

    /// <inheritdoc />
    public bool SkipsBadSamples => Source is ISkipsBadSamples { SkipsBadSamples: true };

    /// <inheritdoc />
    public void RecordBadSample(int index, Imaging.BadImageException error)
    {
        if (Source is ISkipsBadSamples source) source.RecordBadSample(_indices[index], error);
    }

    /// <summary>
    /// Splits <paramref name="source"/> into (rest, held-out) with about <paramref name="fraction"/> of every
    /// class held out (at least one per class that has two or more samples), chosen reproducibly from <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in (0, 1).</exception>
    public static (SubsetDataset Remaining, SubsetDataset HeldOut) StratifiedSplit(IImageDataset source, double fraction, int seed)
    {
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be in (0, 1)");
        var byClass = new List<int>[source.ClassNames.Count];
        for (int c = 0; c < byClass.Length; c++) byClass[c] = [];
        for (int i = 0; i < source.Count; i++) byClass[source.LabelOf(i)].Add(i);
        var rest = new List<int>();
        var held = new List<int>();
        var random = new Random(seed);
        foreach (var members in byClass)
        {
            var array = members.ToArray();
            random.Shuffle(array);
            int take = array.Length < 2 ? 0 : Math.Clamp((int)Math.Round(array.Length * fraction), 1, array.Length - 1);
            held.AddRange(array[..take]);
            rest.AddRange(array[take..]);
        }
        rest.Sort();
        held.Sort();
        return (new SubsetDataset(source, rest), new SubsetDataset(source, held));
    }
}
