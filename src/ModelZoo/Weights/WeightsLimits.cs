namespace ModelZoo.Weights;

/// <summary>
/// Upper bounds a weight reader enforces before it allocates anything, so that a hostile or corrupt file fails fast
/// with a <see cref="WeightsFileException"/> instead of exhausting memory. The defaults fit every zoo model with room
/// to spare (VGG-19 is 0.55 GiB in float32).
/// </summary>
public sealed record WeightsLimits
{
    /// <summary>Largest safetensors JSON header, in bytes (the format's own rule is 100 MB).</summary>
    public long MaxHeaderBytes { get; init; } = 100_000_000;

    /// <summary>Most tensors in one file.</summary>
    public int MaxTensors { get; init; } = 100_000;

    /// <summary>
    /// Most tensor data in one file, in bytes: the data stored in it, and separately what its tensors take in memory
    /// once read (for a <c>torch.save</c> file every key's view of a storage counts at its full size).
    /// </summary>
    public long MaxTotalBytes { get; init; } = 8L << 30;

    /// <summary>
    /// Most bytes the tensors of a <c>torch.save</c> file may take in memory per byte of storage data it holds
    /// (default 4). A state dict's tensors are its storages (tied weights view one twice); a view with stride 0 or
    /// hundreds of keys viewing one storage would make a small file ask for gigabytes, and is refused.
    /// </summary>
    public double MaxViewExpansion { get; init; } = 4;

    /// <summary>Highest tensor rank accepted.</summary>
    public int MaxRank { get; init; } = 16;

    /// <summary>The defaults.</summary>
    public static WeightsLimits Default { get; } = new();
}
