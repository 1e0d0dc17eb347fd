using ModelZoo.Training;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// Reads <c>--config</c> recipe files as a run-spec layer: JSON through <see cref="RunSpecLayer.FromFile"/>, YAML
/// (<c>.yaml</c>, <c>.yml</c>) converted to the same JSON object by <see cref="YamlRecipeReader"/> (bounded size, depth
/// and alias expansion; plain scalars typed as YAML 1.2's core schema) and read by <see cref="RunSpecLayer.FromJson"/>. YAML stays in the CLI,
/// so the training library keeps no YAML dependency.
/// </summary>
public static class RecipeFiles
{
    /// <summary>Reads the recipe at <paramref name="path"/>.</summary>
    /// <exception cref="RecipeFileException">Missing or unparsable.</exception>
    /// <exception cref="RunSpecException">An unknown field.</exception>
    public static RunSpecLayer Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".yaml" or ".yml")) return RunSpecLayer.FromFile(path);
        return RunSpecLayer.FromJson(YamlRecipeReader.Read(path), Path.GetFullPath(path));
    }
}
