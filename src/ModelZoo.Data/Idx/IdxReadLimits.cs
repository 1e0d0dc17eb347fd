namespace ModelZoo.Data.Idx;

/// <summary>Bounds the IDX reader enforces before allocating anything large.</summary>
/// <param name="MaxPayloadBytes">Largest pixel payload accepted (default 1 GiB; MNIST is 47 MB).</param>
/// <param name="MaxImageSide">Largest accepted rows or columns (default 4096).</param>
/// <param name="ClassCount">Labels must lie in 0..ClassCount-1 (default 10).</param>
public sealed record IdxReadLimits(long MaxPayloadBytes = 1L << 30, int MaxImageSide = 4096, int ClassCount = 10)
{
    /// <summary>The defaults.</summary>
    public static IdxReadLimits Default { get; } = new();
}
