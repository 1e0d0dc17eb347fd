using System.Security.Cryptography;
using ModelZoo.Downloads;

namespace ModelZoo.Data.Mnist;

/// <summary>
/// Downloads a file from a list of mirrors into a folder: verified by size and checksum, written to
/// <c>NAME.partial</c> and renamed into place only when verified, resumed with an HTTP Range request after an
/// interrupted attempt, retried with exponential back-off, bounded by stall and overall timeouts, and locked against a
/// second process downloading the same file (<c>.locks/NAME.lock</c>). The engine is the one ModelZoo's pretrained weights use.
/// </summary>
public sealed class FileDownloader : IDisposable
{
    /// <summary>Largest download accepted when a file's size is not known.</summary>
    public const long MaxUnknownSize = 256L << 20;

    private readonly VerifiedDownloader _engine;

    /// <summary>Creates a downloader.</summary>
    /// <param name="options">Retry, timeout and offline settings; null: defaults.</param>
    public FileDownloader(DownloadOptions? options = null)
    {
        Options = options ?? DownloadOptions.Default;
        var policy = new DownloadPolicy { AttemptsPerUrl = Options.AttemptsPerMirror };
        _engine = new VerifiedDownloader(policy with
        {
            InitialBackoff = Options.InitialBackoff ?? policy.InitialBackoff,
            StallTimeout = Options.StallTimeout ?? policy.StallTimeout,
            OverallTimeout = Options.OverallTimeout ?? policy.OverallTimeout,
        });
    }

    /// <summary>The settings in use.</summary>
    public DownloadOptions Options { get; }

    /// <summary>
    /// Returns the path of <paramref name="file"/> in <paramref name="directory"/>, downloading it first when it is
    /// missing or fails verification.
    /// </summary>
    /// <exception cref="DatasetDownloadException">No mirror delivered a verified file; the message lists each URL and why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<string> EnsureAsync(DownloadFile file, IReadOnlyList<string> mirrors, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(mirrors);
        string final = Path.Combine(directory, file.Name);
        if (Options.Offline)
        {
            if (File.Exists(final) && Verify(final, file) is null) return final;
            throw Fail(file, final, mirrors, ["offline mode: no download attempted"], null);
        }
        var urls = mirrors.Select(m => m.TrimEnd('/') + "/" + file.Name).ToList();
        DownloadResult result;
        try
        {
            result = await _engine.FetchAsync(new DownloadRequest(final, urls, file.Size, MaxUnknownSize, p => Verify(p, file)), null, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Fail(file, final, mirrors, [$"the cache folder '{directory}' cannot be written: {e.Message}"], e);
        }
        return result.Path ?? throw Fail(file, final, mirrors, result.Failures, result.LastError);
    }

    /// <summary>Checks a file's size and checksums; null when it matches, else what is wrong.</summary>
    public static string? Verify(string path, DownloadFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        long length = new FileInfo(path).Length;
        if (file.Size is long size && length != size) return $"size {length:N0} bytes, expected {size:N0}";
        using var stream = File.OpenRead(path);
        if (file.Sha256 is not null)
        {
            string actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
                return $"SHA-256 mismatch: got {actual}, expected {file.Sha256}";
            stream.Position = 0;
        }
        if (file.Md5 is not null)
        {
            string actual = Convert.ToHexStringLower(MD5.HashData(stream));
            if (!string.Equals(actual, file.Md5, StringComparison.OrdinalIgnoreCase))
                return $"MD5 mismatch: got {actual}, expected {file.Md5}";
        }
        return null;
    }

    /// <inheritdoc />
    public void Dispose() => _engine.Dispose();

    private static DatasetDownloadException Fail(DownloadFile file, string final, IReadOnlyList<string> mirrors, IReadOnlyList<string> failures, Exception? last)
    {
        string urls = string.Join(Environment.NewLine, mirrors.Select(m => "  " + m.TrimEnd('/') + "/" + file.Name));
        string why = string.Join(Environment.NewLine, failures.Select(f => "  - " + f));
        string message =
            $"Could not obtain '{file.Name}'. Tried:{Environment.NewLine}{urls}{Environment.NewLine}" +
            $"Failures:{Environment.NewLine}{why}{Environment.NewLine}" +
            $"To work offline, download the files elsewhere and either copy them to '{Path.GetDirectoryName(final)}' " +
            $"or pass --data DIR where DIR holds the IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, " +
            $"t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, optionally .gz). Use --data mnist-sample for the bundled 10,000-digit sample.";
        return new DatasetDownloadException(message, final, failures, last);
    }
}
