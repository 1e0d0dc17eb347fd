namespace ModelZoo;

/// <summary>An input smaller than the model's smallest input (<see cref="ModelCard.MinInputSize"/>).</summary>
public sealed class InputTooSmallException : ModelZooException
{
    /// <summary>Creates the exception for model <paramref name="model"/> asked to take a <paramref name="height"/> x <paramref name="width"/> input.</summary>
    public InputTooSmallException(string model, int minSize, int height, int width)
        : base($"{model} needs inputs of at least {minSize}x{minSize} pixels, got {height}x{width}: its pooling stages would shrink smaller inputs to nothing; use an image size of {minSize} or more")
    {
        Model = model;
        MinSize = minSize;
        Height = height;
        Width = width;
    }

    /// <summary>The model's canonical name.</summary>
    public string Model { get; }

    /// <summary>The smallest height and width the model accepts.</summary>
    public int MinSize { get; }

    /// <summary>The height that was asked for.</summary>
    public int Height { get; }

    /// <summary>The width that was asked for.</summary>
    public int Width { get; }
}
