namespace ModelZoo.Data.Idx;

/// <summary>The content of an IDX image file (magic 0x00000803): <see cref="Count"/> images of <see cref="Rows"/> x <see cref="Columns"/> bytes.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Image height.</param>
/// <param name="Columns">Image width.</param>
/// <param name="Pixels">Count*Rows*Columns bytes, image-major, row-major.</param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);
