namespace ModelZoo.Hub;

/// <summary>
/// A weight file could not be obtained: offline with nothing cached, every attempt failed, no hash to check a URL
/// against. The message names the weights (or URL), each failure, and where to place the file by hand.
/// Nothing half-written is left in the cache when it is thrown.
/// </summary>
public class WeightsDownloadException : ModelZooException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="weights">The weights' name, or the URL.</param>
    /// <param name="message">The whole message.</param>
    /// <param name="failures">One line per failed attempt.</param>
    /// <param name="inner">The last underlying error, if any.</param>
    public WeightsDownloadException(string weights, string message, IReadOnlyList<string>? failures = null, Exception? inner = null)
        : base(message, inner)
    {
        Weights = weights;
        Failures = failures ?? [];
    }

    /// <summary>The weights' name, or the URL.</summary>
    public string Weights { get; }

    /// <summary>One line per failed attempt ("url (attempt n): reason").</summary>
    public IReadOnlyList<string> Failures { get; }
}
