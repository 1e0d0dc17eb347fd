namespace ModelZoo.Downloads;

/// <summary>
/// Where ModelZoo and PyTorch keep downloads, from environment variables: one rule for the data sets and the weights
/// (compiled into <c>ModelZoo</c> and <c>ModelZoo.Data</c> from this one source file).
/// </summary>
internal static class CacheLocations
{
    /// <summary>
    /// ModelZoo's cache root: <c>MODELZOO_CACHE</c>; else <c>MODELZOO_HOME</c> (the older name); else
    /// <c>$XDG_CACHE_HOME/modelzoo</c>; else <c>~/.cache/modelzoo</c> (on Windows <c>%LOCALAPPDATA%\modelzoo</c>).
    /// </summary>
    /// <param name="environment">Looks up an environment variable (null or empty: unset).</param>
    public static string ModelZooRoot(Func<string, string?> environment)
    {
        foreach (string name in new[] { "MODELZOO_CACHE", "MODELZOO_HOME" })
        {
            string? value = environment(name);
            if (!string.IsNullOrWhiteSpace(value)) return Path.GetFullPath(value);
        }
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "modelzoo");
        return Path.Combine(XdgCacheHome(environment), "modelzoo");
    }

    /// <summary>
    /// PyTorch's hub folder as <c>torch.hub.get_dir()</c> finds it: <c>$TORCH_HOME/hub</c>; else
    /// <c>$XDG_CACHE_HOME/torch/hub</c>; else <c>~/.cache/torch/hub</c>. Downloaded weights are in its <c>checkpoints</c>.
    /// </summary>
    /// <param name="environment">Looks up an environment variable (null or empty: unset).</param>
    public static string TorchHub(Func<string, string?> environment)
    {
        string? torchHome = environment("TORCH_HOME");
        if (!string.IsNullOrWhiteSpace(torchHome)) return Path.Combine(Path.GetFullPath(ExpandHome(torchHome)), "hub");
        return Path.Combine(XdgCacheHome(environment), "torch", "hub");
    }

    private static string XdgCacheHome(Func<string, string?> environment)
    {
        string? xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return xdg;
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;
}
