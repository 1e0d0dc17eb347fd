namespace ModelZoo.Data.Mnist;

/// <summary>A data set file could not be obtained from any mirror (offline, blocked, corrupt, or timed out).</summary>
public sealed class DatasetDownloadException : ModelZooDataException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full message (which URLs failed and what to do instead).</param>
    /// <param name="path">The cache file that was to be written.</param>
    /// <param name="failures">One line per failed URL with its reason.</param>
    /// <param name="inner">The last underlying error, if any.</param>
    public DatasetDownloadException(string message, string path, IReadOnlyList<string> failures, Exception? inner = null)
        : base(message, path, inner)
    {
        Failures = failures;
    }

    /// <summary>One line per failed URL ("url: reason").</summary>
    public IReadOnlyList<string> Failures { get; }
}
