namespace ModelZoo.Data;

/// <summary>
/// A managed image in channel-major (CHW) layout with float pixels, nominally in [0, 1] before
/// normalisation. Transforms run on these on worker threads; the loader copies a batch of them
/// into one contiguous tensor.
/// </summary>
public sealed class FloatImage
{
    /// <summary>Creates an image of the given size over <paramref name="data"/> (length C*H*W), without copying.</summary>
    /// <exception cref="ArgumentException">The sizes are not positive or do not match the data length.</exception>
    public FloatImage(int channels, int height, int width, float[] data)
    {
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"image size must be positive, got {channels}x{height}x{width}");
        if ((long)channels * height * width != data.Length)
            throw new ArgumentException($"data length {data.Length} does not match {channels}x{height}x{width}");
        Channels = channels;
        Height = height;
        Width = width;
        Data = data;
    }

    /// <summary>Creates a zero-filled image.</summary>
    public FloatImage(int channels, int height, int width)
        : this(channels, height, width, new float[checked(channels * height * width)])
    {
    }

    /// <summary>Number of channels (1 grey, 3 RGB).</summary>
    public int Channels { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>The pixels, CHW order: index = (c * Height + y) * Width + x.</summary>
    public float[] Data { get; }

    /// <summary>Pixel accessor.</summary>
    public float this[int c, int y, int x]
    {
        get => Data[(c * Height + y) * Width + x];
        set => Data[(c * Height + y) * Width + x] = value;
    }

    /// <summary>A deep copy.</summary>
    public FloatImage Clone() => new(Channels, Height, Width, (float[])Data.Clone());
}
