namespace ModelZoo.Data.Transforms;

/// <summary>
/// torchvision's RandomResizedCrop: a window covering a fraction of the area drawn from <see cref="MinScale"/>..
/// <see cref="MaxScale"/> with log-uniform aspect ratio in <see cref="MinRatio"/>..<see cref="MaxRatio"/> (10 tries,
/// then a centre crop clamped to the ratio range), resized to <see cref="Height"/> x <see cref="Width"/>.
/// Crop and resize are fused into one antialiased bilinear pass.
/// </summary>
public sealed class RandomResizedCrop : ITransform
{
    /// <summary>Creates the transform with torchvision's defaults: scale (0.08, 1), ratio (3/4, 4/3).</summary>
    public RandomResizedCrop(int size, double minScale = 0.08, double maxScale = 1.0, double minRatio = 3.0 / 4.0, double maxRatio = 4.0 / 3.0, bool antialias = true)
        : this(size, size, minScale, maxScale, minRatio, maxRatio, antialias)
    {
    }

    /// <summary>Creates the transform for a non-square output.</summary>
    public RandomResizedCrop(int height, int width, double minScale, double maxScale, double minRatio, double maxRatio, bool antialias = true)
    {
        Checks.Size(height, width);
        Checks.Range(minScale, maxScale, "scale");
        Checks.Range(minRatio, maxRatio, "ratio");
        if (minScale <= 0 || minRatio <= 0) throw new ArgumentException("scale and ratio must be positive");
        Height = height;
        Width = width;
        MinScale = minScale;
        MaxScale = maxScale;
        MinRatio = minRatio;
        MaxRatio = maxRatio;
        Antialias = antialias;
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Smallest area fraction.</summary>
    public double MinScale { get; }

    /// <summary>Largest area fraction.</summary>
    public double MaxScale { get; }

    /// <summary>Smallest width/height ratio.</summary>
    public double MinRatio { get; }

    /// <summary>Largest width/height ratio.</summary>
    public double MaxRatio { get; }

    /// <summary>Antialias when downscaling.</summary>
    public bool Antialias { get; }

    /// <summary>Draws the crop window for an image of the given size (torchvision's <c>get_params</c>).</summary>
    public CropBox GetParams(int imageHeight, int imageWidth, Random random)
    {
        double area = (double)imageHeight * imageWidth;
        double logLo = Math.Log(MinRatio), logHi = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * Checks.Uniform(random, MinScale, MaxScale);
            double aspect = Math.Exp(Checks.Uniform(random, logLo, logHi));
            int w = (int)Math.Round(Math.Sqrt(target * aspect), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(target / aspect), MidpointRounding.ToEven);
            if (w > 0 && w <= imageWidth && h > 0 && h <= imageHeight)
            {
                int top = random.Next(imageHeight - h + 1);
                int left = random.Next(imageWidth - w + 1);
                return new CropBox(top, left, h, w);
            }
        }

        // Fallback: centre crop, clamped to the ratio range.
        double inRatio = (double)imageWidth / imageHeight;
        int cw, ch;
        if (inRatio < MinRatio)
        {
            cw = imageWidth;
            ch = (int)Math.Round(cw / MinRatio, MidpointRounding.ToEven);
        }
        else if (inRatio > MaxRatio)
        {
            ch = imageHeight;
            cw = (int)Math.Round(ch * MaxRatio, MidpointRounding.ToEven);
        }
        else
        {
            cw = imageWidth;
            ch = imageHeight;
        }

        return new CropBox((imageHeight - ch) / 2, (imageWidth - cw) / 2, ch, cw);
    }

    /// <summary>Cuts <paramref name="box"/> and resizes it to <paramref name="height"/> x <paramref name="width"/> in one pass.</summary>
    public static FloatImage ResizedCrop(FloatImage image, CropBox box, int height, int width, bool antialias = true) =>
        ImageOps.Resample(image, box.Left, box.Top, box.Width, box.Height, height, width, antialias);

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random) =>
        ResizedCrop(image, GetParams(image.Height, image.Width, random), Height, Width, Antialias);

    /// <inheritdoc />
    public override string ToString() => $"RandomResizedCrop({Height}x{Width}, scale=[{MinScale}, {MaxScale}], ratio=[{MinRatio:0.###}, {MaxRatio:0.###}])";
}
