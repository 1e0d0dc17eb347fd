namespace ModelZoo.Data.Transforms;

/// <summary>
/// Pads every side by <see cref="Padding"/> pixels of <see cref="Fill"/>, then cuts a
/// <see cref="Height"/> x <see cref="Width"/> window at a uniformly random position (torchvision's RandomCrop).
/// </summary>
public sealed class RandomCrop : ITransform
{
    /// <summary>A square crop.</summary>
    public RandomCrop(int size, int padding = 0, float fill = 0, bool padIfNeeded = false)
        : this(size, size, padding, fill, padIfNeeded)
    {
    }

    /// <summary>Creates the transform.</summary>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    /// <param name="padding">Pixels of padding added on every side first.</param>
    /// <param name="fill">Padding value.</param>
    /// <param name="padIfNeeded">Pad images still smaller than the crop instead of failing.</param>
    public RandomCrop(int height, int width, int padding, float fill, bool padIfNeeded)
    {
        Checks.Size(height, width);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        Height = height;
        Width = width;
        Padding = padding;
        Fill = fill;
        PadIfNeeded = padIfNeeded;
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Padding on each side.</summary>
    public int Padding { get; }

    /// <summary>Padding value.</summary>
    public float Fill { get; }

    /// <summary>Pad images smaller than the crop.</summary>
    public bool PadIfNeeded { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The padded image is smaller than the crop and <see cref="PadIfNeeded"/> is false.</exception>
    public FloatImage Apply(FloatImage image, Random random)
    {
        int padY = Padding, padX = Padding;
        int ph = image.Height + 2 * Padding, pw = image.Width + 2 * Padding;
        if (ph < Height || pw < Width)
        {
            if (!PadIfNeeded)
                throw new InvalidOperationException($"RandomCrop {Height}x{Width} is larger than the padded image {ph}x{pw}");
            if (ph < Height) { padY += (Height - ph + 1) / 2; ph = Math.Max(ph, Height); }
            if (pw < Width) { padX += (Width - pw + 1) / 2; pw = Math.Max(pw, Width); }
        }

        int top = random.Next(ph - Height + 1);
        int left = random.Next(pw - Width + 1);
        return ImageOps.Crop(image, top - padY, left - padX, Height, Width, Fill);
    }

    /// <inheritdoc />
    public override string ToString() => $"RandomCrop({Height}x{Width}, padding={Padding})";
}
