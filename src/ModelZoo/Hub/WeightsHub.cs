using System.Security.Cryptography;
using ModelZoo.Downloads;
using ModelZoo.Weights;
using static TorchSharp.torch;

namespace ModelZoo.Hub;

/// <summary>
/// Pretrained weights by name (torchvision's <c>weights=</c>, timm's <c>pretrained=True</c>): every model card's
/// weights table, and the download cache behind it. A file is downloaded once, over HTTPS with redirects, resumed after
/// an interruption, checked against its known SHA-256 (or the published prefix), and only then renamed into the cache
/// (<see cref="HubOptions.WeightsDirectory"/>); a file PyTorch already downloaded (<c>$TORCH_HOME/hub/checkpoints</c>)
/// is used in place when its hash checks out. Two processes fetching the same file take turns on a lock. Every file is
/// hashed again each time it is used, and read through the safe readers of <see cref="PretrainedWeights"/> (no pickle
/// code runs). <c>Zoo.Create(name, new ModelOptions { Weights = "resnet50.tv2_in1k" })</c> is the one-line use.
/// </summary>
public static class WeightsHub
{
    /// <summary>Every known weights entry, by model then table order.</summary>
    public static IReadOnlyList<WeightsInfo> All => Zoo.Names.SelectMany(n => WeightsOf(Zoo.Card(n))).ToList();

    /// <summary>The settings used when a call gives none: the environment's (<see cref="HubOptions.FromEnvironment"/>), read on each call.</summary>
    public static HubOptions DefaultOptions => OptionsOverride.Value ?? HubOptions.FromEnvironment();

    /// <summary>Test seam: settings that replace <see cref="DefaultOptions"/> within one async flow (so tests never touch the real caches).</summary>
    internal static readonly AsyncLocal<HubOptions?> OptionsOverride = new();

    /// <summary>Test seam: entries added to the tables within one async flow, replacing those of the same name (served by a loopback server with a real hash).</summary>
    internal static readonly AsyncLocal<IReadOnlyList<WeightsInfo>?> ExtraEntries = new();

    /// <summary>
    /// The weights called <paramref name="name"/>: <c>MODEL.TAG</c> (<c>resnet50.tv2_in1k</c>; the model may be an alias,
    /// the tag may be torchvision's spelling, <c>resnet50.IMAGENET1K_V2</c>), or <c>MODEL</c> alone for the model's
    /// default weights (torchvision's <c>DEFAULT</c>). Case-insensitive.
    /// </summary>
    /// <exception cref="UnknownWeightsException">No such weights.</exception>
    public static WeightsInfo Find(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string trimmed = name.Trim();
        int dot = trimmed.IndexOf('.', StringComparison.Ordinal);
        string modelPart = dot < 0 ? trimmed : trimmed[..dot];
        string? tag = dot < 0 ? null : trimmed[(dot + 1)..];
        ModelCard card;
        try
        {
            card = Zoo.Card(modelPart);
        }
        catch (UnknownModelException)
        {
            throw new UnknownWeightsException(name, Names, $"'{modelPart}' is not a zoo model");
        }
        var known = WeightsOf(card);
        if (known.Count == 0) throw new UnknownWeightsException(name, Names, $"{card.Name} has no known weights");
        if (tag is null || tag.Equals("default", StringComparison.OrdinalIgnoreCase))
            return known.FirstOrDefault(w => w.IsDefault) ?? known[0];
        return known.FirstOrDefault(w => TagMatches(w, tag))
            ?? throw new UnknownWeightsException(name, Names, $"{card.Name} has {string.Join(", ", known.Select(w => w.Tag))}");
    }

    /// <summary>Like <see cref="Find"/>, returning false instead of throwing.</summary>
    public static bool TryFind(string name, out WeightsInfo? weights)
    {
        try
        {
            weights = string.IsNullOrWhiteSpace(name) ? null : Find(name);
        }
        catch (UnknownWeightsException)
        {
            weights = null;
        }
        return weights is not null;
    }

    /// <summary>Downloads (or finds in a cache) the file of <paramref name="weights"/> and returns its verified local path.</summary>
    /// <exception cref="WeightsHashMismatchException">The downloaded file's SHA-256 is not the known one (it was deleted).</exception>
    /// <exception cref="WeightsDownloadException">Offline with nothing cached, or every attempt failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static string Fetch(WeightsInfo weights, HubOptions? options = null, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FetchAsync(weights, options, progress, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc cref="Fetch(WeightsInfo, HubOptions?, IProgress{DownloadProgress}?, CancellationToken)"/>
    public static Task<string> FetchAsync(WeightsInfo weights, HubOptions? options = null, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(weights);
        options ??= DefaultOptions;
        string url = options.Mirror is string mirror ? MirrorUrl(mirror, weights.FileName) : weights.Url;
        return FetchVerifiedAsync(weights.Name, CachePath(weights, options), TorchPath(weights.FileName, options), url, weights.Url,
            weights.Sha256, weights.Size, options, progress, cancellationToken);
    }

    /// <summary>
    /// Downloads any weight file by URL (<c>https://</c>, <c>http://</c>, or <c>file://</c>) and returns its verified local
    /// path. The file is checked against <paramref name="sha256"/> (64 hex digits, or a prefix of at least 8), else against
    /// the hash prefix in its file name (<c>NAME-1a2b3c4d.pth</c>, torch.hub's rule); a URL with neither is refused.
    /// A URL of a known entry is checked against that entry's hash and cached under its name.
    /// </summary>
    /// <exception cref="ArgumentException">Not an http(s) or file URL, or <paramref name="sha256"/> is not hex.</exception>
    /// <exception cref="WeightsHashMismatchException">The file's SHA-256 differs (it was deleted).</exception>
    /// <exception cref="WeightsDownloadException">No hash to check against, offline, or every attempt failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static string FetchUrl(string url, string? sha256 = null, HubOptions? options = null, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FetchUrlAsync(url, sha256, options, progress, cancellationToken).GetAwaiter().GetResult();

    /// <inheritdoc cref="FetchUrl"/>
    public static Task<string> FetchUrlAsync(string url, string? sha256 = null, HubOptions? options = null, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        options ??= DefaultOptions;
        string? expected = sha256 is null ? null : NormalizeSha256(sha256);
        // A known entry's URL: its known hash, its cache name, fetched from the URL as given (the mirror is for names).
        if (expected is null && All.FirstOrDefault(w => w.Url == url) is { } known)
            return FetchVerifiedAsync(known.Name, CachePath(known, options), TorchPath(known.FileName, options), url, known.Url, known.Sha256, known.Size, options, progress, cancellationToken);
        string fileName = FileNameOf(url);
        if (expected is null)
        {
            expected = WeightsInfo.HashPrefixOf(fileName)
                ?? throw new WeightsDownloadException(url, $"{url}: no SHA-256 to check the file against: give its SHA-256 (modelzoo: --sha256 HEX); only a file name with a hash prefix (NAME-1a2b3c4d.pth) is checked without one");
            return FetchVerifiedAsync(url, Path.Combine(options.WeightsDirectory, fileName), TorchPath(fileName, options), url, url, expected, null, options, progress, cancellationToken);
        }
        string cache = Path.Combine(options.WeightsDirectory, "sha256-" + expected, fileName);
        return FetchVerifiedAsync(url, cache, TorchPath(fileName, options), url, url, expected, null, options, progress, cancellationToken);
    }

    /// <summary>Where the cache keeps the file of <paramref name="weights"/> (whether or not it is there yet).</summary>
    public static string CachePath(WeightsInfo weights, HubOptions options)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(options);
        return Path.Combine(options.WeightsDirectory, weights.FileName);
    }

    /// <summary>
    /// The local copy of <paramref name="weights"/> if there is one (ModelZoo's cache first, then PyTorch's hub folder),
    /// without hashing it; null when neither has the file. <see cref="Fetch"/> verifies it before use.
    /// </summary>
    public static string? FindLocal(WeightsInfo weights, HubOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        options ??= DefaultOptions;
        string cache = CachePath(weights, options);
        if (File.Exists(cache)) return cache;
        return TorchPath(weights.FileName, options) is string torch && File.Exists(torch) ? torch : null;
    }

    /// <summary>
    /// Whether a file's SHA-256 (<paramref name="actual"/>, 64 hex digits) is <paramref name="expected"/>: equal, or,
    /// for a prefix, starting with it (torch.hub's <c>check_hash</c>).
    /// </summary>
    public static bool HashMatches(string actual, string expected)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(expected);
        return expected.Length > 0 && actual.StartsWith(expected, StringComparison.OrdinalIgnoreCase) && (expected.Length < 64 ? expected.Length >= 8 : actual.Length == expected.Length);
    }

    /// <summary>The SHA-256 of a file, lower-case hex.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// <paramref name="options"/> with what the weights named in <see cref="ModelOptions.Weights"/> need: their number
    /// of classes when none was asked for, and GoogLeNet's <see cref="Models.GoogLeNetOptions.TransformInput"/>. Called by
    /// <see cref="Zoo.Create"/> before it builds the model.
    /// </summary>
    internal static ModelOptions PrepareOptions(ModelCard card, ModelOptions options)
    {
        string spec = options.Weights!;
        if (IsLocalFile(spec) || IsUrl(spec)) return options;
        var weights = ForModel(card, spec);
        var prepared = options with { NumClasses = options.NumClasses ?? weights.Classes };
        return weights.TransformInput ? prepared with { Family = options.FamilyOr<Models.GoogLeNetOptions>() with { TransformInput = true } } : prepared;
    }

    /// <summary>
    /// Loads the weights named in <paramref name="options"/> into a model <see cref="Zoo.Create"/> just built, the way
    /// fine-tuning does (<see cref="PretrainedWeights.LoadForFineTuning"/>: a head of another size is left freshly
    /// initialised, a first convolution adapted to other input channels). Disposes the model when that fails.
    /// </summary>
    internal static void LoadInto(nn.Module model, ModelCard card, ModelOptions options)
    {
        try
        {
            string spec = options.Weights!;
            string path = IsLocalFile(spec) ? spec : IsUrl(spec) ? FetchUrl(spec) : Fetch(ForModel(card, spec));
            PretrainedWeights.LoadForFineTuning(model, path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The weights <paramref name="spec"/> (<c>MODEL.TAG</c>, <c>MODEL</c>, or a tag of the card's model) for <paramref name="card"/>'s model.</summary>
    /// <exception cref="UnknownWeightsException">No such weights.</exception>
    /// <exception cref="ArgumentException">The weights are another model's.</exception>
    internal static WeightsInfo ForModel(ModelCard card, string spec)
    {
        WeightsInfo weights;
        if (!spec.Contains('.', StringComparison.Ordinal) && !Zoo.Names.Concat(Zoo.Aliases.Keys).Any(n => Same(n, spec)))
            weights = Find(card.Name + "." + spec);
        else
            weights = Find(spec);
        if (weights.Model != card.Name)
            throw new ArgumentException($"weights '{weights.Name}' are for {weights.Model}, not {card.Name}");
        return weights;
    }

    private static IEnumerable<string> Names => All.Select(w => w.Name);

    private static IReadOnlyList<WeightsInfo> WeightsOf(ModelCard card)
    {
        if (ExtraEntries.Value is not { } extra) return card.Weights;
        var mine = extra.Where(w => w.Model == card.Name).ToList();
        bool defaulted = mine.Any(w => w.IsDefault);
        // Seam entries replace table entries of the same tag (and the default, when one of them is the default).
        return [.. mine, .. card.Weights.Where(w => !mine.Any(m => m.Tag == w.Tag)).Select(w => defaulted ? w with { IsDefault = false } : w)];
    }

    private static bool Same(string a, string b) =>
        string.Equals(a.Trim().Replace('-', '_'), b.Trim().Replace('-', '_'), StringComparison.OrdinalIgnoreCase);

    private static bool TagMatches(WeightsInfo w, string tag) =>
        tag.Equals(w.Tag, StringComparison.OrdinalIgnoreCase)
        || tag.Equals(w.UpstreamName, StringComparison.OrdinalIgnoreCase)
        || (w.Origin == "torchvision" && tag.Equals(w.UpstreamName[(w.UpstreamName.LastIndexOf('.') + 1)..], StringComparison.OrdinalIgnoreCase));

    private static bool IsLocalFile(string spec) => !IsUrl(spec) && File.Exists(spec);

    private static bool IsUrl(string spec) =>
        spec.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || spec.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || spec.StartsWith("file://", StringComparison.OrdinalIgnoreCase);

    private static string MirrorUrl(string mirror, string fileName)
    {
        if (!mirror.Contains("://", StringComparison.Ordinal) && Path.IsPathRooted(mirror)) mirror = new Uri(Path.GetFullPath(mirror)).AbsoluteUri;
        return mirror.TrimEnd('/') + "/" + Uri.EscapeDataString(fileName);
    }

    private static string? TorchPath(string fileName, HubOptions options) =>
        options.TorchCheckpointsDirectory is string dir ? Path.Combine(dir, fileName) : null;

    private static string NormalizeSha256(string sha256)
    {
        string hex = sha256.Trim().ToLowerInvariant();
        if (hex.StartsWith("sha256:", StringComparison.Ordinal)) hex = hex[7..];
        if (hex.Length is < 8 or > 64 || !hex.All(Uri.IsHexDigit))
            throw new ArgumentException($"'{sha256}' is not a SHA-256: give 64 hex digits (or a prefix of at least 8)", nameof(sha256));
        return hex;
    }

    private static string FileNameOf(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http" or "file"))
            throw new ArgumentException($"'{url}' is not an https://, http:// or file:// URL", nameof(url));
        string name = Uri.UnescapeDataString(uri.AbsolutePath[(uri.AbsolutePath.LastIndexOf('/') + 1)..]);
        if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('\\', StringComparison.Ordinal))
            throw new ArgumentException($"'{url}' does not end in a file name", nameof(url));
        return name;
    }

    private static async Task<string> FetchVerifiedAsync(string label, string cachePath, string? torchPath, string url, string origin, string expected, long? size,
        HubOptions options, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string? mismatch = null;
        string? Check(string path)
        {
            long length = new FileInfo(path).Length;
            if (size is long s && length != s) return $"size {length:N0} bytes, expected {s:N0}";
            string actual = Sha256Of(path);
            if (HashMatches(actual, expected)) return null;
            if (path.EndsWith(".partial", StringComparison.Ordinal)) mismatch = actual;
            return $"SHA-256 mismatch: got {actual}, expected {expected}{(expected.Length < 64 ? " (prefix)" : "")}";
        }
        string fileName = Path.GetFileName(cachePath);
        if (File.Exists(cachePath) && Check(cachePath) is null) return cachePath;
        if (torchPath is not null && File.Exists(torchPath) && Check(torchPath) is null) return torchPath;
        string directory = Path.GetDirectoryName(cachePath)!;
        string placeHint = $"place {fileName} (from {origin}, SHA-256 {(expected.Length < 64 ? "starting " : "")}{expected}) in {directory}"
            + (options.TorchCheckpointsDirectory is string t ? $" or in {t}" : "");
        if (options.Offline)
            throw new WeightsDownloadException(label, $"MODELZOO_OFFLINE is set and weights '{label}' are not in the cache: {placeHint}");
        var policy = new DownloadPolicy
        {
            AttemptsPerUrl = options.Attempts,
            InitialBackoff = options.InitialBackoff,
            StallTimeout = options.StallTimeout,
            OverallTimeout = options.OverallTimeout,
            LockTimeout = options.LockTimeout,
        };
        using var engine = new VerifiedDownloader(policy);
        DownloadResult result;
        try
        {
            result = await engine.FetchAsync(new DownloadRequest(cachePath, [url], size, options.MaxBytes, Check),
                progress is null ? null : e => progress.Report(ToProgress(e)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WeightsDownloadException(label, $"weights '{label}': the cache folder {directory} cannot be written ({e.Message}); set MODELZOO_CACHE to a writable folder", inner: e);
        }
        if (result.Path is string done) return done;
        if (mismatch is not null) throw new WeightsHashMismatchException(label, url, expected, mismatch, result.Failures);
        throw new WeightsDownloadException(label,
            $"could not download weights '{label}': {string.Join("; ", result.Failures)}. Without internet: {placeHint}, or set MODELZOO_WEIGHTS_MIRROR to a folder or server holding it",
            result.Failures, result.LastError);
    }

    private static DownloadProgress ToProgress(DownloadEvent e) => new(e.Kind switch
    {
        DownloadEventKind.WaitingForLock => DownloadStage.WaitingForOtherProcess,
        DownloadEventKind.Started => DownloadStage.Started,
        DownloadEventKind.Resumed => DownloadStage.Resumed,
        DownloadEventKind.Completed => DownloadStage.Completed,
        _ => DownloadStage.Downloading,
    }, e.Url, e.Bytes, e.Total);
}
