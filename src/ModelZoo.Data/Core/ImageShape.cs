namespace ModelZoo.Data;

/// <summary>The size of an image (or of a model input): channels, height, width.</summary>
/// <param name="Channels">Channels (1 grey, 3 RGB).</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Width">Width in pixels.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <inheritdoc />
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
