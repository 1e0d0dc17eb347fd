namespace ModelZoo.Data.Transforms;

/// <summary>
/// Resizes with a bilinear filter, antialiased when downscaling (like torchvision with <c>antialias=True</c>):
/// either the shorter side to <see cref="ShorterSide"/> keeping the aspect ratio (the longer side is truncated,
/// as torchvision), or to exactly <see cref="Height"/> x <see cref="Width"/>.
/// </summary>
public sealed class Resize : ITransform
{
    /// <summary>Shorter side to <paramref name="shorterSide"/>, aspect ratio kept.</summary>
    public Resize(int shorterSide, bool antialias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shorterSide, 1);
        ShorterSide = shorterSide;
        Antialias = antialias;
    }

    /// <summary>Exactly <paramref name="height"/> x <paramref name="width"/>.</summary>
    public Resize(int height, int width, bool antialias = true)
    {
        Checks.Size(height, width);
        Height = height;
        Width = width;
        Antialias = antialias;
    }

    /// <summary>Target shorter side, or null for an exact size.</summary>
    public int? ShorterSide { get; }

    /// <summary>Exact height, or null.</summary>
    public int? Height { get; }

    /// <summary>Exact width, or null.</summary>
    public int? Width { get; }

    /// <summary>Widen the filter when downscaling.</summary>
    public bool Antialias { get; }

    /// <summary>Output size for an input of the given size.</summary>
    public (int Height, int Width) OutputSize(int height, int width)
    {
        if (ShorterSide is not int s) return (Height!.Value, Width!.Value);
        if (height <= width) return (s, Math.Max(1, (int)((long)s * width / height)));
        return (Math.Max(1, (int)((long)s * height / width)), s);
    }

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random)
    {
        var (h, w) = OutputSize(image.Height, image.Width);
        if (h == image.Height && w == image.Width) return image;
        return ImageOps.Resample(image, 0, 0, image.Width, image.Height, h, w, Antialias);
    }

    /// <inheritdoc />
    public override string ToString() => ShorterSide is int s ? $"Resize(shorter={s})" : $"Resize({Height}x{Width})";
}
