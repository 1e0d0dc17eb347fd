using ModelZoo.Downloads;

namespace ModelZoo.Data.Mnist;

/// <summary>Where ModelZoo caches downloads.</summary>
public static class ModelZooHome
{
    /// <summary>
    /// The cache root: <c>MODELZOO_CACHE</c> when set; else <c>MODELZOO_HOME</c> (the older name); else
    /// <c>$XDG_CACHE_HOME/modelzoo</c>, else <c>~/.cache/modelzoo</c> (on Windows <c>%LOCALAPPDATA%\modelzoo</c>).
    /// Pretrained weights go to its <c>weights</c> folder, each data set to a folder of its name.
    /// </summary>
    public static string CacheDirectory => CacheLocations.ModelZooRoot(Environment.GetEnvironmentVariable);
}
