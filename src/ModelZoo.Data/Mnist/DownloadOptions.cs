namespace ModelZoo.Data.Mnist;

/// <summary>How data set files are downloaded and cached.</summary>
/// <param name="CacheDirectory">Cache root; null: <see cref="ModelZooHome.CacheDirectory"/> (MODELZOO_HOME or the user's cache folder).</param>
/// <param name="Mirrors">Mirror base URLs tried in order, overriding the data set's own list (e.g. a local mirror or a test server).</param>
/// <param name="AttemptsPerMirror">Tries per mirror for retryable failures (timeouts, truncation, 5xx) before moving on.</param>
/// <param name="InitialBackoff">Wait before the first retry; doubled on each further retry. Null: 1 second.</param>
/// <param name="StallTimeout">Longest wait for the next bytes (or the response headers) before an attempt counts as stalled. Null: 30 seconds.</param>
/// <param name="OverallTimeout">Limit for one file across all mirrors and attempts. Null: 10 minutes.</param>
/// <param name="Offline">Never touch the network: missing files are an error naming what to provide.</param>
public sealed record DownloadOptions(
    string? CacheDirectory = null,
    IReadOnlyList<string>? Mirrors = null,
    int AttemptsPerMirror = 3,
    TimeSpan? InitialBackoff = null,
    TimeSpan? StallTimeout = null,
    TimeSpan? OverallTimeout = null,
    bool Offline = false)
{
    /// <summary>The defaults.</summary>
    public static DownloadOptions Default { get; } = new();
}
