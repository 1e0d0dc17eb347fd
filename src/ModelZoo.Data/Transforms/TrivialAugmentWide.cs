namespace ModelZoo.Data.Transforms;

/// <summary>
/// TrivialAugmentWide (Müller and Hutter 2021) as torchvision 0.14 defines it: one op drawn uniformly from the 14 of
/// <see cref="AutoAugmentSpace.TrivialAugmentWide"/>, at a uniformly drawn magnitude bin of <see cref="Bins"/>, its sign
/// flipped with probability 1/2 for signed ops; nearest sampling, fill 0 (<see cref="AutoAugmentOps"/>). The draws come
/// from the loader's per-sample generator.
/// </summary>
public sealed class TrivialAugmentWide : ITransform
{
    /// <summary>Creates the transform (torchvision's default: 31 bins).</summary>
    public TrivialAugmentWide(int bins = 31)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 2);
        Bins = bins;
    }

    /// <summary>The number of magnitude bins.</summary>
    public int Bins { get; }

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        var space = AutoAugmentSpace.TrivialAugmentWide(Bins);
        var (op, magnitudes, signed) = space[random.Next(space.Count)];
        double magnitude = magnitudes.Length > 0 ? magnitudes[random.Next(magnitudes.Length)] : 0.0;
        if (signed && random.Next(2) == 1) magnitude = -magnitude;
        return AutoAugmentOps.Apply(image, op, magnitude);
    }
}
