using System.Globalization;
using System.Text.Json.Nodes;
using ModelZoo.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// Reads <c>--config</c> recipe files as a run-spec layer: JSON through <see cref="RunSpecLayer.FromFile"/>, YAML
/// (<c>.yaml</c>, <c>.yml</c>) converted to the same JSON object (plain scalars typed as YAML 1.2's core schema: null,
/// true/false, integers, floats, else strings) and read by <see cref="RunSpecLayer.FromJson"/>. YAML stays in the CLI,
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
        if (!File.Exists(path)) throw new RecipeFileException(path, "no such file");
        JsonNode? root;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path)) stream.Load(reader);
            if (stream.Documents.Count != 1) throw new RecipeFileException(path, $"holds {stream.Documents.Count} YAML documents; a recipe is one");
            root = ToJson(stream.Documents[0].RootNode);
        }
        catch (YamlException e)
        {
            throw new RecipeFileException(path, $"is not valid YAML: {e.Message}", e);
        }
        return RunSpecLayer.FromJson(root as JsonObject ?? throw new RecipeFileException(path, "is not a YAML mapping"), path);
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new YamlException($"unsupported YAML node {node.NodeType}"),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        string text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain) return JsonValue.Create(text);
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return JsonValue.Create(l);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return JsonValue.Create(d);
        return JsonValue.Create(text);
    }
}
