namespace ModelZoo.Data.Transforms;

/// <summary>An image transform (augmentation or preprocessing) applied per sample on loader worker threads.</summary>
public interface ITransform
{
    /// <summary>Transforms <paramref name="image"/> using <paramref name="random"/> for any random choice.</summary>
    /// <param name="image">The input image (may be modified or returned as is).</param>
    /// <param name="random">A per-sample generator seeded from (seed, epoch, sample index).</param>
    /// <returns>The transformed image.</returns>
    FloatImage Apply(FloatImage image, Random random);
}
