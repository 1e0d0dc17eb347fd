namespace ModelZoo.Data.Transforms;

/// <summary>Mirrors the image left-right with probability <see cref="P"/> (in place).</summary>
public sealed class RandomHorizontalFlip : ITransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="p">Probability of flipping, in [0, 1]; default 0.5.</param>
    public RandomHorizontalFlip(double p = 0.5)
    {
        Checks.Probability(p);
        P = p;
    }

    /// <summary>Probability of flipping.</summary>
    public double P { get; }

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random)
    {
        if (random.NextDouble() < P) ImageOps.FlipHorizontalInPlace(image);
        return image;
    }

    /// <inheritdoc />
    public override string ToString() => $"RandomHorizontalFlip(p={P})";
}
