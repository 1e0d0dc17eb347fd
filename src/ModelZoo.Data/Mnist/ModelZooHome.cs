namespace ModelZoo.Data.Mnist;

/// <summary>Where ModelZoo caches downloads.</summary>
public static class ModelZooHome
{
    /// <summary>
    /// The cache root: <c>MODELZOO_HOME</c> when set; else <c>$XDG_CACHE_HOME/modelzoo</c>, else <c>~/.cache/modelzoo</c>
    /// (on Windows <c>%LOCALAPPDATA%\modelzoo</c>).
    /// </summary>
    public static string CacheDirectory
    {
        get
        {
            string? home = Environment.GetEnvironmentVariable("MODELZOO_HOME");
            if (!string.IsNullOrWhiteSpace(home)) return Path.GetFullPath(home);
            if (OperatingSystem.IsWindows())
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "modelzoo");
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "modelzoo");
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "modelzoo");
        }
    }
}
