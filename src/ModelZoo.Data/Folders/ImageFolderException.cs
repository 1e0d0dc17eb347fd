namespace ModelZoo.Data.Folders;

/// <summary>
/// An image folder whose layout cannot be used: missing, no class folders, an empty class folder, train and
/// val class sets that differ, two class names equal after NFC normalisation, or too many bad images.
/// </summary>
public sealed class ImageFolderException : ModelZooDataException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the folder.</param>
    /// <param name="path">The offending folder.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public ImageFolderException(string message, string? path = null, Exception? inner = null)
        : base(message, path, inner)
    {
    }
}
