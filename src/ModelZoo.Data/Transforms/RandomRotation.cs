namespace ModelZoo.Data.Transforms;

/// <summary>
/// Rotates about the image centre by an angle drawn uniformly from [<see cref="MinDegrees"/>, <see cref="MaxDegrees"/>]
/// (positive = counter-clockwise on screen, as torchvision), bilinear, corners filled with <see cref="Fill"/>; size kept.
/// </summary>
public sealed class RandomRotation : ITransform
{
    /// <summary>Rotation by an angle in [-<paramref name="degrees"/>, +<paramref name="degrees"/>].</summary>
    public RandomRotation(double degrees, float fill = 0, double p = 1)
        : this(-Math.Abs(degrees), Math.Abs(degrees), fill, p)
    {
    }

    /// <summary>Rotation by an angle in [<paramref name="minDegrees"/>, <paramref name="maxDegrees"/>], applied with probability <paramref name="p"/>.</summary>
    public RandomRotation(double minDegrees, double maxDegrees, float fill = 0, double p = 1)
    {
        Checks.Range(minDegrees, maxDegrees, "degrees");
        Checks.Probability(p);
        MinDegrees = minDegrees;
        MaxDegrees = maxDegrees;
        Fill = fill;
        P = p;
    }

    /// <summary>Smallest angle, degrees.</summary>
    public double MinDegrees { get; }

    /// <summary>Largest angle, degrees.</summary>
    public double MaxDegrees { get; }

    /// <summary>Value of pixels that come from outside the image.</summary>
    public float Fill { get; }

    /// <summary>Probability of rotating.</summary>
    public double P { get; }

    /// <summary>Rotates by exactly <paramref name="degrees"/> (counter-clockwise on screen) about the centre.</summary>
    public static FloatImage Rotate(FloatImage image, double degrees, float fill = 0) =>
        ImageOps.Affine(image, degrees, 0, 0, 1, fill);

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random)
    {
        if (P < 1 && random.NextDouble() >= P) return image;
        double angle = Checks.Uniform(random, MinDegrees, MaxDegrees);
        return angle == 0 ? image : Rotate(image, angle, Fill);
    }

    /// <inheritdoc />
    public override string ToString() => $"RandomRotation([{MinDegrees}, {MaxDegrees}], fill={Fill}, p={P})";
}
