namespace ModelZoo.Training;

/// <summary>A run's config.json is missing or cannot be read.</summary>
public sealed class RunConfigurationException : ModelZooException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public RunConfigurationException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner) => Path = path;

    /// <summary>The config.json (or run folder) concerned.</summary>
    public string Path { get; }
}
