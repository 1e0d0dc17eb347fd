using ModelZoo.Training;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// Reads <c>--config</c> recipe files: JSON through <see cref="RecipeFile.Load"/>, YAML (<c>.yaml</c>, <c>.yml</c>)
/// converted to the same JSON object by <see cref="YamlRecipeReader"/> (bounded size, depth and alias expansion; plain
/// scalars typed as YAML 1.2's core schema) and checked by <see cref="RecipeFile.FromJson"/>. YAML stays in the CLI,
/// so the training library keeps no YAML dependency.
/// </summary>
public static class RecipeFiles
{
    /// <summary>Reads the recipe at <paramref name="path"/>.</summary>
    /// <exception cref="RecipeFileException">Missing, unparsable or not a valid recipe.</exception>
    public static RecipeFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".yaml" or ".yml")) return RecipeFile.Load(path);
        return RecipeFile.FromJson(YamlRecipeReader.Read(path), Path.GetFullPath(path));
    }
}
