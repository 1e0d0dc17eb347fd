using System.Net;
using System.Net.Http.Headers;

namespace ModelZoo.Downloads;

/// <summary>
/// The one download engine of ModelZoo, compiled into both <c>ModelZoo</c> (pretrained weights) and
/// <c>ModelZoo.Data</c> (the MNIST family) from this single source file, so neither library depends on the other.
/// A file is fetched from a list of URLs (HTTP or HTTPS, redirects followed; <c>file://</c> for a local mirror) into
/// <c>NAME.partial</c> beside its final path, verified by the caller's check, flushed to disk and renamed into place,
/// so the final name only ever holds a verified file. An interrupted transfer is resumed with an HTTP Range request,
/// or restarted cleanly when the server ignores the range; retries back off exponentially; stalls, the whole download
/// and the wait for another process are bounded. A lock file (<c>.locks/NAME.lock</c>, an exclusive OS file lock, released
/// by the kernel when its process dies) keeps two processes, such as two <c>mpirun</c> ranks, from writing the same
/// file: the second waits and then finds the first one's verified file.
/// </summary>
internal sealed class VerifiedDownloader : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>Creates a downloader with <paramref name="policy"/>.</summary>
    public VerifiedDownloader(DownloadPolicy policy)
    {
        Policy = policy;
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = policy.StallTimeout,
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = policy.MaxRedirects,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(policy.UserAgent);
    }

    /// <summary>The settings in use.</summary>
    public DownloadPolicy Policy { get; }

    /// <summary>
    /// Returns the path of a verified <see cref="DownloadRequest.FinalPath"/>, downloading it first (under the lock)
    /// when it is missing or fails verification. Never throws for network or verification failures: the result lists
    /// them, and <see cref="DownloadResult.Path"/> is null.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="IOException">The cache folder or the lock file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The cache folder may not be written.</exception>
    public async Task<DownloadResult> FetchAsync(DownloadRequest request, Action<DownloadEvent>? observe, CancellationToken cancellationToken)
    {
        string final = request.FinalPath;
        if (File.Exists(final))
        {
            if (request.Verify(final) is null) return new DownloadResult(final, [], null, FromCache: true);
        }
        var failures = new List<string>();
        if (request.Urls.Count == 0) return new DownloadResult(null, ["no URL to download from"], null, false);
        string directory = Path.GetDirectoryName(Path.GetFullPath(final))!;
        Directory.CreateDirectory(directory);
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(Policy.OverallTimeout + Policy.LockTimeout);
        FileStream? held = null;
        Exception? last = null;
        try
        {
            string lockPath = LockPathOf(final);
            Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
            held = await AcquireLockAsync(lockPath, observe, overall.Token).ConfigureAwait(false);
            if (held is null)
                return new DownloadResult(null, [$"another process held the lock {lockPath} for more than {Policy.LockTimeout}"], null, false);
            // The process that held the lock may have finished the file meanwhile.
            if (File.Exists(final))
            {
                if (request.Verify(final) is null) return new DownloadResult(final, [], null, FromCache: true);
                TryDelete(final);
            }
            overall.CancelAfter(Policy.OverallTimeout);
            string partial = final + ".partial";
            var backoff = Policy.InitialBackoff;
            foreach (string url in request.Urls)
            {
                bool restartedAfterResume = false;
                for (int attempt = 1; attempt <= Math.Max(1, Policy.AttemptsPerUrl); attempt++)
                {
                    if (attempt > 1)
                        await Task.Delay(backoff * Math.Pow(2, attempt - 2), overall.Token).ConfigureAwait(false);
                    var once = await TryOnceAsync(url, partial, request, observe, overall.Token).ConfigureAwait(false);
                    last = once.Error ?? last;
                    if (once.Outcome == Outcome.Complete)
                    {
                        string? problem = request.Verify(partial);
                        if (problem is null)
                        {
                            File.Move(partial, final, overwrite: true);
                            observe?.Invoke(new DownloadEvent(DownloadEventKind.Completed, url, new FileInfo(final).Length, null));
                            return new DownloadResult(final, failures, null, FromCache: false);
                        }
                        TryDelete(partial);
                        failures.Add($"{url}: {problem}");
                        // A resumed file can fail only because its first part was bad: one clean restart from zero.
                        if (once.Resumed && !restartedAfterResume)
                        {
                            restartedAfterResume = true;
                            continue;
                        }
                        break;
                    }
                    failures.Add($"{url} (attempt {attempt}): {once.Reason}");
                    if (once.Outcome == Outcome.NextUrl) break;
                }
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            failures.Add($"overall timeout of {Policy.OverallTimeout} reached");
            last = e;
        }
        finally
        {
            held?.Dispose();
        }
        cancellationToken.ThrowIfCancellationRequested();
        return new DownloadResult(null, failures, last, false);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    /// <summary>The lock file of <paramref name="finalPath"/>: <c>.locks/NAME.lock</c> beside it (kept, empty, after use).</summary>
    public static string LockPathOf(string finalPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(finalPath))!, ".locks", Path.GetFileName(finalPath) + ".lock");

    private async Task<FileStream?> AcquireLockAsync(string lockPath, Action<DownloadEvent>? observe, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + Policy.LockTimeout;
        bool announced = false;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock on Unix and a sharing lock on Windows: held until disposed or
                // until the process dies. The file itself is never deleted (deleting it would let a third process lock
                // a new file while the second still holds the old one).
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                if (DateTime.UtcNow >= deadline) return null;
                if (!announced)
                {
                    announced = true;
                    observe?.Invoke(new DownloadEvent(DownloadEventKind.WaitingForLock, lockPath, 0, null));
                }
                await Task.Delay(Policy.LockPollInterval, token).ConfigureAwait(false);
            }
        }
    }

    private enum Outcome { Complete, Retry, NextUrl }

    private sealed record Attempt(Outcome Outcome, string Reason, Exception? Error, bool Resumed);

    private async Task<Attempt> TryOnceAsync(string url, string partial, DownloadRequest request, Action<DownloadEvent>? observe, CancellationToken token)
    {
        long limit = request.Size ?? request.MaxBytes;
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (have > limit)
        {
            TryDelete(partial);
            have = 0;
        }
        if (request.Size is long known && have == known) return new Attempt(Outcome.Complete, "", null, Resumed: true);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(token);
        stall.CancelAfter(Policy.StallTimeout);
        long pos = have;
        bool resumed = false;
        try
        {
            Stream body;
            HttpResponseMessage? response = null;
            long offset = 0;
            long? total = request.Size;
            if (url.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            {
                string local = new Uri(url).LocalPath;
                if (!File.Exists(local)) return new Attempt(Outcome.NextUrl, "no such file", null, false);
                var source = new FileStream(local, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                if (have > 0 && have <= source.Length)
                {
                    source.Position = have;
                    offset = have;
                }
                total ??= source.Length;
                body = source;
            }
            else
            {
                using var message = new HttpRequestMessage(HttpMethod.Get, url);
                if (have > 0) message.Headers.Range = new RangeHeaderValue(have, null);
                response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
                int code = (int)response.StatusCode;
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                {
                    response.Dispose();
                    TryDelete(partial);
                    return new Attempt(Outcome.Retry, "HTTP 416 for the resume range; restarting from zero", null, false);
                }
                if (!response.IsSuccessStatusCode)
                {
                    response.Dispose();
                    bool retry = code >= 500 || code == 408 || code == 429;
                    return new Attempt(retry ? Outcome.Retry : Outcome.NextUrl, $"HTTP {code} {response.ReasonPhrase}", null, false);
                }
                if (response.StatusCode == HttpStatusCode.PartialContent)
                {
                    var range = response.Content.Headers.ContentRange;
                    if (range?.From != have)
                    {
                        response.Dispose();
                        TryDelete(partial);
                        return new Attempt(Outcome.Retry, $"resume answered with range {range}, asked for {have}-; restarting from zero", null, false);
                    }
                    offset = have;
                    if (range.Length is long whole) total ??= whole;
                }
                if (response.Content.Headers.ContentLength is long contentLength)
                {
                    if (request.Size is long expected && offset + contentLength != expected)
                    {
                        response.Dispose();
                        return new Attempt(Outcome.NextUrl, $"server announces {offset + contentLength:N0} bytes, expected {expected:N0}", null, false);
                    }
                    if (offset + contentLength > limit)
                    {
                        response.Dispose();
                        return new Attempt(Outcome.NextUrl, $"server announces {offset + contentLength:N0} bytes, more than the {limit:N0}-byte limit", null, false);
                    }
                    total ??= offset + contentLength;
                }
                body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false);
            }
            resumed = offset > 0;
            pos = offset;
            observe?.Invoke(new DownloadEvent(resumed ? DownloadEventKind.Resumed : DownloadEventKind.Started, url, offset, total));
            using (response)
            await using (body)
            await using (var output = new FileStream(partial, offset == 0 ? FileMode.Create : FileMode.Open, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                output.SetLength(offset);
                output.Position = offset;
                var buffer = new byte[1 << 16];
                while (true)
                {
                    stall.CancelAfter(Policy.StallTimeout);
                    int n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                    if (n == 0) break;
                    if (pos + n > limit)
                    {
                        await output.DisposeAsync().ConfigureAwait(false);
                        TryDelete(partial);
                        return new Attempt(Outcome.NextUrl, $"server sent more than the expected {limit:N0} bytes", null, resumed);
                    }
                    await output.WriteAsync(buffer.AsMemory(0, n), stall.Token).ConfigureAwait(false);
                    pos += n;
                    observe?.Invoke(new DownloadEvent(DownloadEventKind.Progress, url, pos, total));
                }
                // On disk before the rename: a crash after it never leaves a short file under the final name.
                output.Flush(flushToDisk: true);
            }
            if (total is long size && pos < size)
                return new Attempt(Outcome.Retry, $"connection closed after {pos:N0} of {size:N0} bytes (will resume)", null, resumed);
            return new Attempt(Outcome.Complete, "", null, resumed);
        }
        catch (OperationCanceledException e) when (!token.IsCancellationRequested)
        {
            return new Attempt(Outcome.Retry, $"stalled: no data for {Policy.StallTimeout.TotalSeconds:0.###} s after {pos:N0} bytes (will resume)", e, resumed);
        }
        catch (HttpRequestException e)
        {
            return new Attempt(Outcome.Retry, $"{e.Message}{(e.InnerException is null ? "" : " (" + e.InnerException.Message + ")")}", e, resumed);
        }
        catch (IOException e)
        {
            return new Attempt(Outcome.Retry, $"{e.Message} after {pos:N0} bytes (will resume)", e, resumed);
        }
    }

    /// <summary>Deletes a file, ignoring a file that is already gone or cannot be deleted.</summary>
    public static void TryDelete(string path)
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

/// <summary>Retry, timeout and lock settings of a <see cref="VerifiedDownloader"/>.</summary>
internal sealed record DownloadPolicy
{
    /// <summary>Tries per URL for retryable failures (timeouts, truncation, 5xx) before moving on.</summary>
    public int AttemptsPerUrl { get; init; } = 3;

    /// <summary>Wait before the first retry; doubled on each further retry.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for the next bytes (or the response headers) before an attempt counts as stalled.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Limit for one file across all URLs and attempts (the wait for the lock not included).</summary>
    public TimeSpan OverallTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest wait for another process that holds the file's lock.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How often a waiting process tries the lock again.</summary>
    public TimeSpan LockPollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Redirects followed per request (HTTPS to HTTP is never followed).</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>The User-Agent header.</summary>
    public string UserAgent { get; init; } = "ModelZoo/0.1";
}

/// <summary>One file to fetch.</summary>
/// <param name="FinalPath">Where the verified file goes; its <c>.partial</c> file sits beside it, its lock in <c>.locks/</c>.</param>
/// <param name="Urls">URLs tried in order.</param>
/// <param name="Size">Exact size in bytes when known.</param>
/// <param name="MaxBytes">Largest file accepted when <paramref name="Size"/> is unknown.</param>
/// <param name="Verify">Checks a complete file: null when good, else what is wrong (the file is then deleted).</param>
internal sealed record DownloadRequest(string FinalPath, IReadOnlyList<string> Urls, long? Size, long MaxBytes, Func<string, string?> Verify);

/// <summary>What <see cref="VerifiedDownloader.FetchAsync"/> did.</summary>
/// <param name="Path">The verified file, or null when every URL failed.</param>
/// <param name="Failures">One line per failed attempt ("url (attempt n): reason").</param>
/// <param name="LastError">The last underlying exception, if any.</param>
/// <param name="FromCache">The file was already there (no transfer).</param>
internal sealed record DownloadResult(string? Path, IReadOnlyList<string> Failures, Exception? LastError, bool FromCache);

/// <summary>What a download is doing, for progress displays.</summary>
internal enum DownloadEventKind
{
    /// <summary>Another process holds the lock; <see cref="DownloadEvent.Url"/> is the lock file.</summary>
    WaitingForLock,

    /// <summary>A transfer from zero started.</summary>
    Started,

    /// <summary>A transfer resumed at <see cref="DownloadEvent.Bytes"/>.</summary>
    Resumed,

    /// <summary>Bytes arrived; <see cref="DownloadEvent.Bytes"/> is the total so far.</summary>
    Progress,

    /// <summary>The file was verified and renamed into place.</summary>
    Completed,
}

/// <summary>A progress report.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Url">The URL (or, while waiting, the lock file).</param>
/// <param name="Bytes">Bytes of the file present so far.</param>
/// <param name="Total">The file's size when known.</param>
internal sealed record DownloadEvent(DownloadEventKind Kind, string Url, long Bytes, long? Total);
