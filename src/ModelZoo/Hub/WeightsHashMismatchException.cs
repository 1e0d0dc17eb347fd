namespace ModelZoo.Hub;

/// <summary>
/// A downloaded weight file's SHA-256 is not the known one (a corrupted transfer, a wrong mirror, a replaced file).
/// The downloaded bytes were deleted; nothing entered the cache.
/// </summary>
public sealed class WeightsHashMismatchException : WeightsDownloadException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="weights">The weights' name, or the URL.</param>
    /// <param name="url">Where the file came from.</param>
    /// <param name="expected">The expected SHA-256 (or its prefix).</param>
    /// <param name="actual">The SHA-256 of what arrived.</param>
    /// <param name="failures">Every failed attempt.</param>
    public WeightsHashMismatchException(string weights, string url, string expected, string actual, IReadOnlyList<string> failures)
        : base(weights, $"weights '{weights}' from {url}: SHA-256 mismatch: expected {(expected.Length < 64 ? expected + "... (prefix)" : expected)}, got {actual}; the download was deleted", failures)
    {
        Url = url;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Where the file came from.</summary>
    public string Url { get; }

    /// <summary>The expected SHA-256, lower-case hex (a prefix where only that is published).</summary>
    public string Expected { get; }

    /// <summary>The full SHA-256 of the downloaded file.</summary>
    public string Actual { get; }
}
