using System.Text.Json;
using System.Text.Json.Nodes;
using ModelZoo.Data.Folders;

namespace ModelZoo.Training;

/// <summary>
/// A training recipe as a JSON file (<c>modelzoo train --config FILE</c>; shipped ones under <c>recipes/</c>): an
/// object with any of <c>model</c>, <c>data</c>, <c>training</c> (an object of <see cref="TrainingOptions"/> fields by
/// their config.json names, e.g. <c>learningRate</c>, <c>emaDecay</c>), <c>augment</c>, <c>valSplit</c>,
/// <c>imageSize</c>, <c>onBadImage</c>, <c>dropout</c> and <c>init</c>. Every field given replaces the built-in recipe's
/// (<see cref="TrainingDefaults"/>) and is replaced in turn by the command line. Unknown fields are an error, so a typo
/// does not pass silently. <see cref="Format"/> writes the same shape (what <c>--print-config</c> prints), so a printed
/// configuration can be saved and used as a recipe.
/// </summary>
public sealed record RecipeFile
{
    private static readonly HashSet<string> TopLevel = new(StringComparer.Ordinal)
    {
        "model", "data", "training", "augment", "valSplit", "imageSize", "onBadImage", "dropout", "init", "recipe", "$comment",
    };

    private JsonObject? _training;

    /// <summary>The file it was read from.</summary>
    public required string Path { get; init; }

    /// <summary>Model name or alias (<c>model</c>).</summary>
    public string? Model { get; init; }

    /// <summary>Data spec (<c>data</c>).</summary>
    public string? Data { get; init; }

    /// <summary>Augmentation preset (<c>augment</c>).</summary>
    public string? Augment { get; init; }

    /// <summary>Validation split (<c>valSplit</c>).</summary>
    public double? ValidationSplit { get; init; }

    /// <summary>Image size (<c>imageSize</c>).</summary>
    public int? ImageSize { get; init; }

    /// <summary>Bad image policy (<c>onBadImage</c>: fail or skip).</summary>
    public OnBadImage? OnBadImage { get; init; }

    /// <summary>Classifier dropout (<c>dropout</c>).</summary>
    public double? Dropout { get; init; }

    /// <summary>Init scheme name (<c>init</c>: normal, xavier, he, default).</summary>
    public string? Init { get; init; }

    /// <summary>The training fields the file sets, by their config.json names.</summary>
    public IReadOnlyCollection<string> TrainingFields => _training?.Select(kv => kv.Key).ToList() ?? [];

    /// <summary>Reads and checks a recipe file.</summary>
    /// <exception cref="RecipeFileException">Missing, not JSON, an unknown field, or a value of the wrong type.</exception>
    public static RecipeFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new RecipeFileException(path, "no such file");
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new RecipeFileException(path, "not a JSON object");
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new RecipeFileException(path, $"is not valid JSON: {e.Message}", e);
        }
        return FromJson(root, path);
    }

    /// <summary>
    /// A recipe from its JSON object (what <see cref="Load"/> reads; the CLI converts a YAML recipe to this object),
    /// checked the same way; <paramref name="path"/> names it in errors.
    /// </summary>
    /// <exception cref="RecipeFileException">An unknown field, or a value of the wrong type.</exception>
    public static RecipeFile FromJson(JsonObject root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            var unknown = root.Select(kv => kv.Key).Where(k => !TopLevel.Contains(k)).ToList();
            if (unknown.Count > 0) throw new RecipeFileException(path, $"unknown field(s) {string.Join(", ", unknown)}; known: {string.Join(", ", TopLevel.Where(k => k != "$comment"))}");
            JsonObject? training = null;
            if (root["training"] is JsonNode t)
            {
                training = t as JsonObject ?? throw new RecipeFileException(path, "'training' must be an object");
                var known = Serialize(new TrainingOptions());
                var bad = training.Select(kv => kv.Key).Where(k => !known.ContainsKey(k)).ToList();
                if (bad.Count > 0) throw new RecipeFileException(path, $"unknown training field(s) {string.Join(", ", bad)}; known: {string.Join(", ", known.Select(kv => kv.Key))}");
                training = (JsonObject)training.DeepClone();
            }
            string? badImage = root["onBadImage"]?.GetValue<string>();
            var recipe = new RecipeFile
            {
                Path = System.IO.Path.GetFullPath(path),
                Model = root["model"]?.GetValue<string>(),
                Data = root["data"]?.GetValue<string>(),
                Augment = root["augment"]?.GetValue<string>(),
                ValidationSplit = root["valSplit"]?.GetValue<double>(),
                ImageSize = root["imageSize"]?.GetValue<int>(),
                OnBadImage = badImage switch
                {
                    null => null,
                    "fail" => ModelZoo.Data.Folders.OnBadImage.Fail,
                    "skip" => ModelZoo.Data.Folders.OnBadImage.Skip,
                    _ => throw new RecipeFileException(path, $"onBadImage must be fail or skip, not '{badImage}'"),
                },
                Dropout = root["dropout"]?.GetValue<double>(),
                Init = root["init"]?.GetValue<string>(),
                _training = training,
            };
            // Every training value must deserialize and validate on top of the defaults.
            recipe.Apply(new TrainingOptions()).EnsureValid();
            return recipe;
        }
        catch (RecipeFileException) { throw; }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or IOException or ArgumentException or NotSupportedException)
        {
            throw new RecipeFileException(path, $"is not a valid recipe: {e.Message}", e);
        }
    }

    /// <summary><paramref name="options"/> with every training field of the file replaced.</summary>
    /// <exception cref="RecipeFileException">A value does not fit its field.</exception>
    public TrainingOptions Apply(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_training is null || _training.Count == 0) return options;
        var merged = Serialize(options);
        foreach (var (key, value) in _training) merged[key] = value?.DeepClone();
        try
        {
            return merged.Deserialize<TrainingOptions>(TrainingJson.Options) ?? options;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NotSupportedException)
        {
            throw new RecipeFileException(Path, $"a training value does not fit its field: {e.Message}", e);
        }
    }

    /// <summary><paramref name="options"/> with every data field of the file replaced.</summary>
    public RunDataOptions Apply(RunDataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with
        {
            Augment = Augment ?? options.Augment,
            ValidationSplit = ValidationSplit ?? options.ValidationSplit,
            OnBadImage = OnBadImage ?? options.OnBadImage,
            ImageSize = ImageSize ?? options.ImageSize,
        };
    }

    /// <summary>A complete recipe in this file's format (what <c>--print-config</c> prints); <see cref="Load"/> reads it back.</summary>
    public static string Format(string? model, string? data, TrainingOptions training, RunDataOptions dataOptions, double? dropout, string? init, string? recipeSource = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(dataOptions);
        var root = new JsonObject
        {
            ["model"] = model,
            ["data"] = data,
            ["recipe"] = recipeSource,
            ["training"] = Serialize(training),
            ["augment"] = dataOptions.Augment,
            ["valSplit"] = dataOptions.ValidationSplit,
            ["imageSize"] = dataOptions.ImageSize,
            ["onBadImage"] = dataOptions.OnBadImage == ModelZoo.Data.Folders.OnBadImage.Skip ? "skip" : "fail",
            ["dropout"] = dropout,
            ["init"] = init,
        };
        return root.ToJsonString(TrainingJson.Indented);
    }

    private static JsonObject Serialize(TrainingOptions options) =>
        (JsonObject)JsonSerializer.SerializeToNode(options, TrainingJson.Options)!;
}
