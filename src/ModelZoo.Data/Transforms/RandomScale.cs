namespace ModelZoo.Data.Transforms;

/// <summary>
/// Zooms about the image centre by a factor drawn uniformly from [<see cref="MinScale"/>, <see cref="MaxScale"/>]
/// (above 1 zooms in, below 1 zooms out, borders <see cref="Fill"/>); bilinear, size kept.
/// </summary>
public sealed class RandomScale : ITransform
{
    /// <summary>Creates the transform.</summary>
    public RandomScale(double minScale, double maxScale, float fill = 0, double p = 1)
    {
        Checks.Range(minScale, maxScale, "scale");
        if (minScale <= 0) throw new ArgumentOutOfRangeException(nameof(minScale), "scale must be positive");
        Checks.Probability(p);
        MinScale = minScale;
        MaxScale = maxScale;
        Fill = fill;
        P = p;
    }

    /// <summary>Smallest factor.</summary>
    public double MinScale { get; }

    /// <summary>Largest factor.</summary>
    public double MaxScale { get; }

    /// <summary>Value of pixels from outside the image.</summary>
    public float Fill { get; }

    /// <summary>Probability of zooming.</summary>
    public double P { get; }

    /// <summary>Zooms by exactly <paramref name="factor"/> about the centre.</summary>
    public static FloatImage Zoom(FloatImage image, double factor, float fill = 0) =>
        ImageOps.Affine(image, 0, 0, 0, factor, fill);

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random)
    {
        if (P < 1 && random.NextDouble() >= P) return image;
        double s = Checks.Uniform(random, MinScale, MaxScale);
        return s == 1 ? image : Zoom(image, s, Fill);
    }

    /// <inheritdoc />
    public override string ToString() => $"RandomScale([{MinScale}, {MaxScale}], fill={Fill}, p={P})";
}
