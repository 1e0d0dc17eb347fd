namespace ModelZoo.Data.Transforms;

/// <summary>
/// RandAugment (Cubuk et al. 2019) as torchvision 0.14 defines it: <see cref="NumOps"/> times, an op drawn uniformly
/// from the 14 of <see cref="AutoAugmentSpace.RandAugment"/>, at magnitude bin <see cref="Magnitude"/> of
/// <see cref="Bins"/>, its sign flipped with probability 1/2 for signed ops; nearest sampling, fill 0. The ops are
/// <see cref="AutoAugmentOps"/> (checked against torchvision's uint8 path); the draws come from the loader's per-sample
/// generator, not torch's, so the choices are reproducible here but not the same as a Python run's.
/// </summary>
public sealed class RandAugment : ITransform
{
    /// <summary>Creates the transform (torchvision's defaults: 2 ops, magnitude 9 of 31 bins).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public RandAugment(int numOps = 2, int magnitude = 9, int bins = 31)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numOps);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 2);
        if (magnitude < 0 || magnitude >= bins) throw new ArgumentOutOfRangeException(nameof(magnitude), magnitude, $"must be a bin index in [0, {bins})");
        NumOps = numOps;
        Magnitude = magnitude;
        Bins = bins;
    }

    /// <summary>Ops applied in sequence.</summary>
    public int NumOps { get; }

    /// <summary>The magnitude bin index.</summary>
    public int Magnitude { get; }

    /// <summary>The number of magnitude bins.</summary>
    public int Bins { get; }

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        var space = AutoAugmentSpace.RandAugment(Bins, image.Height, image.Width);
        for (int i = 0; i < NumOps; i++)
        {
            var (op, magnitudes, signed) = space[random.Next(space.Count)];
            double magnitude = magnitudes.Length > 0 ? magnitudes[Magnitude] : 0.0;
            if (signed && random.Next(2) == 1) magnitude = -magnitude;
            image = AutoAugmentOps.Apply(image, op, magnitude);
        }
        return image;
    }
}
