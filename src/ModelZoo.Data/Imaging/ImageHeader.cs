namespace ModelZoo.Data.Imaging;

/// <summary>What the preflight learnt about an image file without decoding its pixels.</summary>
/// <param name="Format">The container format, detected from the content (never from the file name).</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
public readonly record struct ImageHeader(ImageFormats Format, int Width, int Height);
