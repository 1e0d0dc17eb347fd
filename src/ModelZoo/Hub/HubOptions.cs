using ModelZoo.Downloads;

namespace ModelZoo.Hub;

/// <summary>
/// Where <see cref="WeightsHub"/> keeps and looks for weight files, where it downloads them from, and its limits.
/// <see cref="FromEnvironment"/> reads the environment variables (<c>MODELZOO_CACHE</c>, <c>TORCH_HOME</c>,
/// <c>MODELZOO_WEIGHTS_MIRROR</c>, <c>MODELZOO_OFFLINE</c>); the <c>with</c> expression changes any of it.
/// </summary>
public sealed record HubOptions
{
    /// <summary>ModelZoo's cache root; weight files go to its <c>weights</c> folder (see <see cref="WeightsDirectory"/>).</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>PyTorch's hub folder (<c>$TORCH_HOME/hub</c>); a verified file in its <c>checkpoints</c> folder is used in place. Null: not looked at.</summary>
    public string? TorchHubDirectory { get; init; }

    /// <summary>
    /// Base URL of a mirror (one flat folder of the same files, e.g. an organisation's server or <c>file:///srv/weights</c>):
    /// known weights are fetched from it, by file name, instead of from their publishers, and still checked against the known hash.
    /// </summary>
    public string? Mirror { get; init; }

    /// <summary>Never touch the network: a file missing from both caches is an error that says which file to place where.</summary>
    public bool Offline { get; init; }

    /// <summary>Tries per URL for retryable failures (timeouts, dropped connections, HTTP 5xx).</summary>
    public int Attempts { get; init; } = 4;

    /// <summary>Wait before the first retry, doubled on each further retry.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for the next bytes before an attempt counts as stalled.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Limit for one file's download, retries included.</summary>
    public TimeSpan OverallTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Longest wait for another process downloading the same file (two <c>mpirun</c> ranks, two shells).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Largest file accepted whose size is not published (VGG-19's 548 MB fits with room to spare).</summary>
    public long MaxBytes { get; init; } = 4L << 30;

    /// <summary>The folder weight files are downloaded to: <c>CACHE/weights</c>.</summary>
    public string WeightsDirectory => Path.Combine(CacheDirectory, "weights");

    /// <summary>PyTorch's downloaded weights (<c>TORCH_HUB/checkpoints</c>), or null.</summary>
    public string? TorchCheckpointsDirectory => TorchHubDirectory is null ? null : Path.Combine(TorchHubDirectory, "checkpoints");

    /// <summary>
    /// The settings of this environment: cache <c>MODELZOO_CACHE</c> (else <c>MODELZOO_HOME</c>, else
    /// <c>$XDG_CACHE_HOME/modelzoo</c>, else <c>~/.cache/modelzoo</c>); PyTorch's hub <c>$TORCH_HOME/hub</c> (else
    /// <c>$XDG_CACHE_HOME/torch/hub</c>, else <c>~/.cache/torch/hub</c>); mirror <c>MODELZOO_WEIGHTS_MIRROR</c>;
    /// offline when <c>MODELZOO_OFFLINE</c> is <c>1</c>, <c>true</c> or <c>yes</c>.
    /// </summary>
    /// <param name="environment">Looks up a variable; null: the process environment.</param>
    public static HubOptions FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? mirror = environment("MODELZOO_WEIGHTS_MIRROR");
        string? offline = environment("MODELZOO_OFFLINE")?.Trim().ToLowerInvariant();
        return new HubOptions
        {
            CacheDirectory = CacheLocations.ModelZooRoot(environment),
            TorchHubDirectory = CacheLocations.TorchHub(environment),
            Mirror = string.IsNullOrWhiteSpace(mirror) ? null : mirror.Trim(),
            Offline = offline is "1" or "true" or "yes" or "on",
        };
    }
}
