namespace ModelZoo.Data.Transforms;

/// <summary>A rectangle of an image in pixels.</summary>
/// <param name="Top">First row.</param>
/// <param name="Left">First column.</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
public readonly record struct CropBox(int Top, int Left, int Height, int Width);
