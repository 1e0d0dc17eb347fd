using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace ModelZoo.Data.Mnist;

/// <summary>
/// Downloads a file from a list of mirrors into a folder: verified by size and checksum, written to
/// <c>NAME.partial</c> and renamed into place only when verified, resumed with an HTTP Range request after an
/// interrupted attempt, retried with exponential back-off, bounded by stall and overall timeouts.
/// </summary>
public sealed class FileDownloader : IDisposable
{
    /// <summary>Largest download accepted when a file's size is not known.</summary>
    public const long MaxUnknownSize = 256L << 20;

    private readonly HttpClient _http;

    /// <summary>Creates a downloader.</summary>
    /// <param name="options">Retry, timeout and offline settings; null: defaults.</param>
    public FileDownloader(DownloadOptions? options = null)
    {
        Options = options ?? DownloadOptions.Default;
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = StallTimeout,
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("ModelZoo/0.1");
    }

    /// <summary>The settings in use.</summary>
    public DownloadOptions Options { get; }

    private TimeSpan StallTimeout => Options.StallTimeout ?? TimeSpan.FromSeconds(30);

    /// <summary>
    /// Returns the path of <paramref name="file"/> in <paramref name="directory"/>, downloading it first when it is
    /// missing or fails verification.
    /// </summary>
    /// <exception cref="DatasetDownloadException">No mirror delivered a verified file; the message lists each URL and why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<string> EnsureAsync(DownloadFile file, IReadOnlyList<string> mirrors, string directory, CancellationToken cancellationToken = default)
    {
        string final = Path.Combine(directory, file.Name);
        if (File.Exists(final))
        {
            if (Verify(final, file) is null) return final;
            File.Delete(final);
        }
        var failures = new List<string>();
        if (Options.Offline)
            throw Fail(file, final, mirrors, ["offline mode: no download attempted"], null);
        Directory.CreateDirectory(directory);
        string partial = final + ".partial";
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(Options.OverallTimeout ?? TimeSpan.FromMinutes(10));
        var backoff = Options.InitialBackoff ?? TimeSpan.FromSeconds(1);
        Exception? last = null;
        try
        {
            foreach (string mirror in mirrors)
            {
                string url = mirror.TrimEnd('/') + "/" + file.Name;
                for (int attempt = 1; attempt <= Math.Max(1, Options.AttemptsPerMirror); attempt++)
                {
                    if (attempt > 1)
                        await Task.Delay(backoff * Math.Pow(2, attempt - 2), overall.Token).ConfigureAwait(false);
                    var (outcome, reason, error) = await TryOnceAsync(url, partial, file, overall.Token).ConfigureAwait(false);
                    last = error ?? last;
                    if (outcome == Outcome.Complete)
                    {
                        string? problem = Verify(partial, file);
                        if (problem is null)
                        {
                            File.Move(partial, final, overwrite: true);
                            return final;
                        }
                        TryDelete(partial);
                        failures.Add($"{url}: {problem}");
                        break;
                    }
                    failures.Add($"{url} (attempt {attempt}): {reason}");
                    if (outcome == Outcome.NextMirror) break;
                }
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            failures.Add($"overall timeout of {Options.OverallTimeout ?? TimeSpan.FromMinutes(10)} reached");
            last = e;
        }
        cancellationToken.ThrowIfCancellationRequested();
        throw Fail(file, final, mirrors, failures, last);
    }

    /// <summary>Checks a file's size and checksums; null when it matches, else what is wrong.</summary>
    public static string? Verify(string path, DownloadFile file)
    {
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
    public void Dispose() => _http.Dispose();

    private enum Outcome { Complete, Retry, NextMirror }

    private async Task<(Outcome, string, Exception?)> TryOnceAsync(string url, string partial, DownloadFile file, CancellationToken token)
    {
        long limit = file.Size ?? MaxUnknownSize;
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (have > limit)
        {
            TryDelete(partial);
            have = 0;
        }
        if (file.Size is long known && have == known) return (Outcome.Complete, "", null);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(token);
        stall.CancelAfter(StallTimeout);
        long pos = have;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
            int code = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                TryDelete(partial);
                return (Outcome.Retry, "HTTP 416 for the resume range; restarting from zero", null);
            }
            if (!response.IsSuccessStatusCode)
            {
                bool retry = code >= 500 || code == 408 || code == 429;
                return (retry ? Outcome.Retry : Outcome.NextMirror, $"HTTP {code} {response.ReasonPhrase}", null);
            }
            long offset = 0;
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                var range = response.Content.Headers.ContentRange;
                if (range?.From != have)
                {
                    TryDelete(partial);
                    return (Outcome.Retry, $"resume answered with range {range}, asked for {have}-; restarting from zero", null);
                }
                offset = have;
            }
            if (response.Content.Headers.ContentLength is long contentLength && file.Size is long expected && offset + contentLength != expected)
                return (Outcome.NextMirror, $"server announces {offset + contentLength:N0} bytes, expected {expected:N0}", null);
            pos = offset;
            await using (var output = new FileStream(partial, offset == 0 ? FileMode.Create : FileMode.Open, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                output.SetLength(offset);
                output.Position = offset;
                await using var body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false);
                var buffer = new byte[1 << 16];
                while (true)
                {
                    stall.CancelAfter(StallTimeout);
                    int n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                    if (n == 0) break;
                    if (pos + n > limit)
                    {
                        await output.DisposeAsync().ConfigureAwait(false);
                        TryDelete(partial);
                        return (Outcome.NextMirror, $"server sent more than the expected {limit:N0} bytes", null);
                    }
                    await output.WriteAsync(buffer.AsMemory(0, n), stall.Token).ConfigureAwait(false);
                    pos += n;
                }
            }
            if (file.Size is long size && pos < size)
                return (Outcome.Retry, $"connection closed after {pos:N0} of {size:N0} bytes (will resume)", null);
            return (Outcome.Complete, "", null);
        }
        catch (OperationCanceledException e) when (!token.IsCancellationRequested)
        {
            return (Outcome.Retry, $"stalled: no data for {StallTimeout.TotalSeconds:0.###} s after {pos:N0} bytes (will resume)", e);
        }
        catch (HttpRequestException e)
        {
            return (Outcome.Retry, $"{e.Message}{(e.InnerException is null ? "" : " (" + e.InnerException.Message + ")")}", e);
        }
        catch (IOException e)
        {
            return (Outcome.Retry, $"{e.Message} after {pos:N0} bytes (will resume)", e);
        }
    }

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

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
