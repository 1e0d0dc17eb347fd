namespace ModelZoo.Training;

/// <summary>A recipe file (<c>modelzoo train --config</c>) is missing or not a valid recipe.</summary>
public sealed class RecipeFileException : ModelZooException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public RecipeFileException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner) => Path = path;

    /// <summary>The recipe file concerned.</summary>
    public string Path { get; }
}
