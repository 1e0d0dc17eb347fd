namespace ModelZoo.Data.Transforms;

/// <summary>
/// torchvision's RandomErasing, in place: with probability <see cref="P"/>, a rectangle covering a fraction of the
/// area drawn from [<see cref="MinScale"/>, <see cref="MaxScale"/>] with log-uniform aspect ratio (height/width) in
/// [<see cref="MinRatio"/>, <see cref="MaxRatio"/>] is set to <see cref="Value"/> in every channel (10 tries to fit;
/// if none fits the image is unchanged). Usually placed after <see cref="Normalize"/>.
/// </summary>
public sealed class RandomErasing : ITransform
{
    /// <summary>Creates the transform with torchvision's defaults.</summary>
    public RandomErasing(double p = 0.5, double minScale = 0.02, double maxScale = 0.33, double minRatio = 0.3, double maxRatio = 3.3, float value = 0)
    {
        Checks.Probability(p);
        Checks.Range(minScale, maxScale, "scale");
        Checks.Range(minRatio, maxRatio, "ratio");
        if (minScale < 0 || maxScale > 1 || minRatio <= 0) throw new ArgumentException("scale must be in [0, 1] and ratio positive");
        P = p;
        MinScale = minScale;
        MaxScale = maxScale;
        MinRatio = minRatio;
        MaxRatio = maxRatio;
        Value = value;
    }

    /// <summary>Probability of erasing.</summary>
    public double P { get; }

    /// <summary>Smallest erased area fraction.</summary>
    public double MinScale { get; }

    /// <summary>Largest erased area fraction.</summary>
    public double MaxScale { get; }

    /// <summary>Smallest height/width ratio.</summary>
    public double MinRatio { get; }

    /// <summary>Largest height/width ratio.</summary>
    public double MaxRatio { get; }

    /// <summary>Value written into the rectangle.</summary>
    public float Value { get; }

    /// <summary>Draws the rectangle for an image of the given size, or null when none fits in 10 tries.</summary>
    public CropBox? GetParams(int imageHeight, int imageWidth, Random random)
    {
        double area = (double)imageHeight * imageWidth;
        double logLo = Math.Log(MinRatio), logHi = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double erase = area * Checks.Uniform(random, MinScale, MaxScale);
            double aspect = Math.Exp(Checks.Uniform(random, logLo, logHi));
            int h = (int)Math.Round(Math.Sqrt(erase * aspect), MidpointRounding.ToEven);
            int w = (int)Math.Round(Math.Sqrt(erase / aspect), MidpointRounding.ToEven);
            if (!(h < imageHeight && w < imageWidth) || h <= 0 || w <= 0) continue;
            return new CropBox(random.Next(imageHeight - h + 1), random.Next(imageWidth - w + 1), h, w);
        }

        return null;
    }

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random)
    {
        if (random.NextDouble() >= P) return image;
        if (GetParams(image.Height, image.Width, random) is not CropBox box) return image;
        for (int c = 0; c < image.Channels; c++)
        {
            for (int y = box.Top; y < box.Top + box.Height; y++)
                image.Data.AsSpan((c * image.Height + y) * image.Width + box.Left, box.Width).Fill(Value);
        }

        return image;
    }

    /// <inheritdoc />
    public override string ToString() => $"RandomErasing(p={P}, scale=[{MinScale}, {MaxScale}], ratio=[{MinRatio}, {MaxRatio}], value={Value})";
}
