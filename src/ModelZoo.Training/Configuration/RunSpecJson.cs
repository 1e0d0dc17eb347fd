using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ModelZoo.Training;

/// <summary>
/// The one JSON form of a <see cref="RunSpec"/>: <c>model</c>, <c>modelOptions</c>, <c>data</c>, <c>dataOptions</c>,
/// <c>training</c>, <c>pretrained</c>, <c>recipe</c> (camelCase, enums as lower-case names). Reading is strict (an unknown
/// field is an error with a "did you mean") and also takes the forms the previous release wrote: recipe files with
/// <c>augment</c>, <c>valSplit</c>, <c>imageSize</c>, <c>onBadImage</c>, <c>dropout</c> and <c>init</c> at the top, and
/// config.json with its run record at the top and data options under <c>extras</c>.
/// </summary>
internal static class RunSpecJson
{
    /// <summary>The top-level fields of the spec.</summary>
    public static readonly string[] TopLevel = ["model", "modelOptions", "data", "dataOptions", "training", "pretrained", "recipe"];

    /// <summary>The section of config.json that records the run (what the data turned out to be, versions, time); not part of the spec.</summary>
    public const string RunSection = "run";

    /// <summary>Top-level fields of the previous release's recipe files, and where they live now.</summary>
    private static readonly Dictionary<string, string> LegacyTopLevel = new(StringComparer.Ordinal)
    {
        ["augment"] = "dataOptions.augment",
        ["valSplit"] = "dataOptions.validationSplit",
        ["imageSize"] = "dataOptions.imageSize",
        ["onBadImage"] = "dataOptions.onBadImage",
        ["dropout"] = "modelOptions.dropout",
        ["init"] = "modelOptions.init",
    };

    /// <summary>Top-level fields of the previous release's config.json that record the run rather than specify it.</summary>
    private static readonly HashSet<string> LegacyRecord = new(StringComparer.Ordinal)
    {
        "classes", "normalization", "channels", "seed", "resumedFrom", "versions", "createdUtc", "extras", "$comment",
    };

    /// <summary>Fields a section no longer has, read and ignored (<c>training.progressInterval</c> is now <see cref="Trainer.ProgressInterval"/>).</summary>
    private static readonly Dictionary<string, string[]> Retired = new(StringComparer.Ordinal)
    {
        ["training"] = ["progressInterval"],
        ["dataOptions"] = [],
        ["modelOptions"] = [],
    };

    /// <summary>Section fields under another name in the previous release.</summary>
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.Ordinal)
    {
        ["dataOptions.valSplit"] = "validationSplit",
    };

    /// <summary>The serializer settings of the spec's sections (those of checkpoints and config.json).</summary>
    public static JsonSerializerOptions Options => TrainingJson.Options;

    /// <summary>The complete JSON form of <paramref name="spec"/>.</summary>
    public static JsonObject Write(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new JsonObject
        {
            ["model"] = spec.Model,
            ["modelOptions"] = JsonSerializer.SerializeToNode(spec.ModelOptions, Options),
            ["data"] = spec.Data,
            ["dataOptions"] = JsonSerializer.SerializeToNode(spec.DataOptions, Options),
            ["training"] = JsonSerializer.SerializeToNode(spec.Training, Options),
            ["pretrained"] = spec.Pretrained,
            ["recipe"] = spec.Recipe,
        };
    }

    /// <summary>The fields a section takes, by JSON name, with their types.</summary>
    public static IReadOnlyDictionary<string, Type> FieldsOf(string section) => section switch
    {
        "training" => Fields<TrainingOptions>.Value,
        "dataOptions" => Fields<RunDataOptions>.Value,
        "modelOptions" => Fields<ModelOptions>.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(section), section, "not a section of the run spec"),
    };

    /// <summary>
    /// <paramref name="root"/> in the current form: legacy fields moved to their sections, the run record and retired
    /// fields left out. Unknown fields are reported through <paramref name="unknown"/> (path and the known names there).
    /// </summary>
    public static JsonObject Normalize(JsonObject root, Action<string, IReadOnlyCollection<string>> unknown)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(unknown);
        var result = new JsonObject();
        JsonObject Section(string name)
        {
            if (result[name] is JsonObject existing) return existing;
            var created = new JsonObject();
            result[name] = created;
            return created;
        }
        // The previous config.json kept the data options under extras.
        if (root["extras"] is JsonObject extras)
        {
            if (extras.ContainsKey("augment")) Section("dataOptions")["augment"] = extras["augment"]?.DeepClone();
            if (extras.ContainsKey("valSplit")) Section("dataOptions")["validationSplit"] = extras["valSplit"]?.DeepClone();
            if (extras.ContainsKey("onBadImage")) Section("dataOptions")["onBadImage"] = extras["onBadImage"]?.DeepClone();
            if (extras["recipe"] is JsonNode recipe) result["recipe"] = recipe.DeepClone();
        }
        foreach (var (key, value) in root)
        {
            if (key == RunSection || LegacyRecord.Contains(key)) continue;
            if (LegacyTopLevel.TryGetValue(key, out var moved))
            {
                var (section, field) = Split(moved);
                Section(section)[field] = value?.DeepClone();
                continue;
            }
            if (!TopLevel.Contains(key))
            {
                unknown(key, TopLevel);
                continue;
            }
            if (key is "training" or "dataOptions" or "modelOptions")
            {
                if (value is not JsonObject fields)
                {
                    if (value is not null) unknown(key + " (must be an object)", TopLevel);
                    continue;
                }
                var known = FieldsOf(key);
                var target = Section(key);
                foreach (var (field, fieldValue) in fields)
                {
                    if (Retired[key].Contains(field)) continue;
                    string name = Renamed.TryGetValue(key + "." + field, out var renamed) ? renamed : field;
                    if (!known.ContainsKey(name))
                    {
                        unknown(key + "." + field, known.Keys.ToList());
                        continue;
                    }
                    target[name] = fieldValue?.DeepClone();
                }
                continue;
            }
            result[key] = value?.DeepClone();
        }
        return result;
    }

    /// <summary>("training", "epochs") of "training.epochs".</summary>
    public static (string Section, string Field) Split(string path)
    {
        int dot = path.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? ("", path) : (path[..dot], path[(dot + 1)..]);
    }

    private static class Fields<T>
    {
        public static readonly IReadOnlyDictionary<string, Type> Value = Build();

        private static IReadOnlyDictionary<string, Type> Build()
        {
            var map = new Dictionary<string, Type>(StringComparer.Ordinal);
            foreach (var p in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            {
                if (p.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: JsonIgnoreCondition.Always }) continue;
                bool included = p.GetMethod?.IsPublic == true || p.GetCustomAttribute<JsonIncludeAttribute>() is not null;
                if (!included || p.GetIndexParameters().Length > 0) continue;
                string name = p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name);
                map[name] = p.PropertyType;
            }
            return map;
        }
    }
}
