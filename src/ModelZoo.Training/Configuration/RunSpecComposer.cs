using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelZoo.Training;

/// <summary>
/// Lays <see cref="RunSpecLayer"/>s over the defaults, field by field (a later layer wins), reads the result as a typed
/// <see cref="RunSpec"/> and checks it once: a value of the wrong type or out of range, or options that exclude each
/// other, is a <see cref="RunSpecException"/> naming each option as the layer that set it spells it. The layering is
/// the same for the CLI and library users: built-in recipe &lt; recipe file &lt; resumed
/// run &lt; command line.
/// </summary>
public static class RunSpecComposer
{
    private static readonly RunSpecLayer DefaultsLayer = new(RunSpecLayerKind.Defaults, "the defaults", new RunSpec().ToJson());

    /// <summary>Composes <paramref name="layers"/> (lowest first) over the defaults and checks the result.</summary>
    /// <exception cref="RunSpecException">A value does not fit its field or the spec is invalid.</exception>
    public static ComposedRunSpec Compose(IReadOnlyList<RunSpecLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var all = new List<RunSpecLayer> { DefaultsLayer };
        all.AddRange(layers);
        var merged = new JsonObject();
        var setBy = new Dictionary<string, RunSpecLayer>(StringComparer.Ordinal);
        foreach (var layer in all)
        {
            foreach (var (key, value) in layer.Values)
            {
                if (value is JsonObject fields && key is "training" or "dataOptions" or "modelOptions")
                {
                    if (merged[key] is not JsonObject target) merged[key] = target = new JsonObject();
                    foreach (var (field, fieldValue) in fields)
                    {
                        target[field] = fieldValue?.DeepClone();
                        setBy[key + "." + field] = layer;
                    }
                }
                else
                {
                    merged[key] = value?.DeepClone();
                    setBy[key] = layer;
                }
            }
        }
        var composed = new ComposedRunSpec(Read(merged, setBy), setBy, all);
        composed.EnsureValid();
        return composed;
    }

    /// <summary>Reads the merged JSON field by field, so each bad value is reported at its path in its source's spelling.</summary>
    private static RunSpec Read(JsonObject merged, IReadOnlyDictionary<string, RunSpecLayer> setBy)
    {
        var problems = new List<string>();
        string Spell(string path) => setBy.TryGetValue(path, out var layer) ? layer.Spell(path) : path;
        foreach (var key in new[] { "model", "data", "pretrained", "recipe" })
        {
            if (merged[key] is JsonNode node && node.GetValueKind() != JsonValueKind.String)
                problems.Add($"{Spell(key)} must be text, not {node.ToJsonString()}");
        }
        var sections = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var section in new[] { "training", "dataOptions", "modelOptions" })
        {
            var fields = RunSpecJson.FieldsOf(section);
            var values = merged[section] as JsonObject ?? new JsonObject();
            var clean = new JsonObject();
            foreach (var (field, value) in values)
            {
                string path = section + "." + field;
                var type = fields[field];
                var (ok, normalized, expected) = Check(value, type);
                if (ok) clean[field] = normalized;
                else problems.Add($"{Spell(path)} must be {expected}, not {Shown(value)}");
            }
            sections[section] = clean;
        }
        if (problems.Count > 0) throw new RunSpecException(problems);
        try
        {
            return new RunSpec
            {
                Model = merged["model"]?.GetValue<string>(),
                ModelOptions = sections["modelOptions"].Deserialize<ModelOptions>(RunSpecJson.Options) ?? new ModelOptions(),
                Data = merged["data"]?.GetValue<string>(),
                DataOptions = sections["dataOptions"].Deserialize<RunDataOptions>(RunSpecJson.Options) ?? new RunDataOptions(),
                Training = sections["training"].Deserialize<TrainingOptions>(RunSpecJson.Options) ?? new TrainingOptions(),
                Pretrained = merged["pretrained"]?.GetValue<string>(),
                Recipe = merged["recipe"]?.GetValue<string>(),
            };
        }
        catch (JsonException e)
        {
            throw new RunSpecException([$"the run specification cannot be read: {e.Message}"]);
        }
    }

    /// <summary>Whether <paramref name="value"/> fits a field of <paramref name="type"/>; enum names are matched loosely (any case, without '-' or '_').</summary>
    private static (bool Ok, JsonNode? Normalized, string Expected) Check(JsonNode? value, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        bool nullable = underlying is not null || !type.IsValueType;
        var target = underlying ?? type;
        string expected = Expected(target);
        if (value is null) return (nullable, null, expected + (nullable ? "" : " (not null)"));
        if (target == typeof(ComputePrecision) && value.GetValueKind() == JsonValueKind.String)
        {
            return PrecisionSupport.TryParse(value.GetValue<string>(), out var precision)
                ? (true, JsonValue.Create(JsonNamingPolicy.CamelCase.ConvertName(precision.ToString())), expected)
                : (false, null, expected);
        }
        if (target.IsEnum && value.GetValueKind() == JsonValueKind.String)
        {
            string wanted = Loose(value.GetValue<string>());
            var match = Enum.GetNames(target).FirstOrDefault(n => Loose(n) == wanted);
            if (match is null) return (false, null, expected);
            return (true, JsonValue.Create(JsonNamingPolicy.CamelCase.ConvertName(match)), expected);
        }
        try
        {
            _ = value.Deserialize(type, RunSpecJson.Options);
            if (target.IsEnum) return (false, null, expected); // a number is not an enum name
            return (true, value.DeepClone(), expected);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException)
        {
            return (false, null, expected);
        }
    }

    private static string Expected(Type t)
    {
        if (t.IsEnum)
        {
            var names = Enum.GetNames(t).Select(n => n.ToLowerInvariant()).ToList();
            return names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " or " + names[^1];
        }
        if (t == typeof(int) || t == typeof(long)) return "a whole number";
        if (t == typeof(double) || t == typeof(float)) return "a number";
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(string)) return "text";
        if (t == typeof(FamilyOptions)) return "family options (an object with the family's \"name\")";
        return "a " + t.Name;
    }

    private static string Loose(string s) => s.Trim().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static string Shown(JsonNode? value) => value is null ? "null" : value.GetValueKind() == JsonValueKind.String ? $"'{value.GetValue<string>()}'" : value.ToJsonString();

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
