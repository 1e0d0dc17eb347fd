namespace ModelZoo.Data.Transforms;

/// <summary>
/// Shifts the image by a whole number of pixels drawn uniformly up to <see cref="MaxFractionX"/> of the width and
/// <see cref="MaxFractionY"/> of the height in each direction (rounded, as torchvision's RandomAffine translate);
/// uncovered pixels are <see cref="Fill"/>. Size kept.
/// </summary>
public sealed class RandomTranslation : ITransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="maxFractionX">Largest horizontal shift as a fraction of the width, in [0, 1].</param>
    /// <param name="maxFractionY">Largest vertical shift as a fraction of the height, in [0, 1].</param>
    /// <param name="fill">Value of uncovered pixels.</param>
    /// <param name="p">Probability of shifting.</param>
    public RandomTranslation(double maxFractionX, double maxFractionY, float fill = 0, double p = 1)
    {
        if (maxFractionX is < 0 or > 1 || maxFractionY is < 0 or > 1)
            throw new ArgumentException("translation fractions must be in [0, 1]");
        Checks.Probability(p);
        MaxFractionX = maxFractionX;
        MaxFractionY = maxFractionY;
        Fill = fill;
        P = p;
    }

    /// <summary>Largest horizontal shift as a fraction of the width.</summary>
    public double MaxFractionX { get; }

    /// <summary>Largest vertical shift as a fraction of the height.</summary>
    public double MaxFractionY { get; }

    /// <summary>Value of uncovered pixels.</summary>
    public float Fill { get; }

    /// <summary>Probability of shifting.</summary>
    public double P { get; }

    /// <summary>Shifts by exactly (<paramref name="dx"/>, <paramref name="dy"/>) pixels (right and down positive).</summary>
    public static FloatImage Translate(FloatImage image, int dx, int dy, float fill = 0) =>
        ImageOps.Crop(image, -dy, -dx, image.Height, image.Width, fill);

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random)
    {
        if (P < 1 && random.NextDouble() >= P) return image;
        double mx = MaxFractionX * image.Width, my = MaxFractionY * image.Height;
        int dx = (int)Math.Round(Checks.Uniform(random, -mx, mx));
        int dy = (int)Math.Round(Checks.Uniform(random, -my, my));
        return dx == 0 && dy == 0 ? image : Translate(image, dx, dy, Fill);
    }

    /// <inheritdoc />
    public override string ToString() => $"RandomTranslation({MaxFractionX}, {MaxFractionY}, fill={Fill}, p={P})";
}
