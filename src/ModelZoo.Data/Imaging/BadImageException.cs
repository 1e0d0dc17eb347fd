namespace ModelZoo.Data.Imaging;

/// <summary>
/// An image file that cannot be used: empty, not an image, a format that is not enabled, truncated,
/// over the size limits, or rejected by the decoder. <see cref="ModelZooDataException.Path"/> names the file
/// and <see cref="Reason"/> says what is wrong; the message shows both on one line, control characters in a file
/// name escaped (<see cref="Folders.BadImageReport.Escape"/>).
/// </summary>
public sealed class BadImageException : ModelZooDataException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The offending file.</param>
    /// <param name="reason">What is wrong with it, e.g. "truncated JPEG (no EOI marker)".</param>
    /// <param name="inner">The underlying decoder error, if any.</param>
    public BadImageException(string path, string reason, Exception? inner = null)
        : base($"bad image '{Folders.BadImageReport.Escape(path)}': {Folders.BadImageReport.Escape(reason)}", path, inner)
    {
        Reason = reason;
    }

    /// <summary>What is wrong with the file, without the path.</summary>
    public string Reason { get; }
}
