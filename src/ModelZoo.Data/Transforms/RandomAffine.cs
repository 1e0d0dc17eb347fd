namespace ModelZoo.Data.Transforms;

/// <summary>
/// Rotation, translation and zoom drawn together and applied in one bilinear pass (sharper and faster than
/// three separate warps): angle uniform in ±<see cref="Degrees"/>, shift rounded to whole pixels up to
/// <see cref="MaxTranslate"/> of the size, zoom uniform in [<see cref="MinScale"/>, <see cref="MaxScale"/>].
/// </summary>
public sealed class RandomAffine : ITransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="degrees">Largest rotation either way, degrees.</param>
    /// <param name="maxTranslate">Largest shift as a fraction of width/height, in [0, 1].</param>
    /// <param name="minScale">Smallest zoom factor.</param>
    /// <param name="maxScale">Largest zoom factor.</param>
    /// <param name="fill">Value of pixels from outside the image.</param>
    public RandomAffine(double degrees, double maxTranslate = 0, double minScale = 1, double maxScale = 1, float fill = 0)
    {
        if (maxTranslate is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(maxTranslate));
        Checks.Range(minScale, maxScale, "scale");
        if (minScale <= 0) throw new ArgumentOutOfRangeException(nameof(minScale));
        Degrees = Math.Abs(degrees);
        MaxTranslate = maxTranslate;
        MinScale = minScale;
        MaxScale = maxScale;
        Fill = fill;
    }

    /// <summary>Largest rotation either way, degrees.</summary>
    public double Degrees { get; }

    /// <summary>Largest shift as a fraction of the size.</summary>
    public double MaxTranslate { get; }

    /// <summary>Smallest zoom.</summary>
    public double MinScale { get; }

    /// <summary>Largest zoom.</summary>
    public double MaxScale { get; }

    /// <summary>Value of pixels from outside the image.</summary>
    public float Fill { get; }

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random)
    {
        double angle = Checks.Uniform(random, -Degrees, Degrees);
        double mx = MaxTranslate * image.Width, my = MaxTranslate * image.Height;
        double dx = Math.Round(Checks.Uniform(random, -mx, mx));
        double dy = Math.Round(Checks.Uniform(random, -my, my));
        double s = Checks.Uniform(random, MinScale, MaxScale);
        return ImageOps.Affine(image, angle, dx, dy, s, Fill);
    }

    /// <inheritdoc />
    public override string ToString() => $"RandomAffine(±{Degrees}°, translate {MaxTranslate}, scale [{MinScale}, {MaxScale}])";
}
