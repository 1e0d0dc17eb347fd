namespace ModelZoo.Data.Transforms;

/// <summary>Cuts the central <see cref="Height"/> x <see cref="Width"/> window (padding with 0 if the image is smaller), as torchvision's CenterCrop.</summary>
public sealed class CenterCrop : ITransform
{
    /// <summary>A square crop.</summary>
    public CenterCrop(int size)
        : this(size, size)
    {
    }

    /// <summary>Creates the transform.</summary>
    public CenterCrop(int height, int width)
    {
        Checks.Size(height, width);
        Height = height;
        Width = width;
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>The box CenterCrop cuts from an image of the given size (top/left rounded half-to-even, as Python's round).</summary>
    public CropBox BoxFor(int imageHeight, int imageWidth) => new(
        (int)Math.Round((imageHeight - Height) / 2.0, MidpointRounding.ToEven),
        (int)Math.Round((imageWidth - Width) / 2.0, MidpointRounding.ToEven),
        Height,
        Width);

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random)
    {
        if (image.Height == Height && image.Width == Width) return image;
        var box = BoxFor(image.Height, image.Width);
        return ImageOps.Crop(image, box.Top, box.Left, box.Height, box.Width);
    }

    /// <inheritdoc />
    public override string ToString() => $"CenterCrop({Height}x{Width})";
}
