namespace ModelZoo.Data.Folders;

/// <summary>An image file that was left out of a data set, and why.</summary>
/// <param name="Path">The file.</param>
/// <param name="Reason">What was wrong with it.</param>
public sealed record SkippedImage(string Path, string Reason);
