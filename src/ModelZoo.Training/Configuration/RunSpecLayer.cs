using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelZoo.Training;

/// <summary>
/// One layer of a run specification: the fields one source sets, in the spec's JSON form (<see cref="RunSpec.ToJson"/>),
/// and how that source spells them. <see cref="RunSpecComposer"/> lays them over each other, later layers winning
/// field by field: built-in recipe &lt; recipe file &lt; resumed run &lt; command line.
/// </summary>
public sealed record RunSpecLayer
{
    /// <summary>Creates a layer from fields already in the current form (see <see cref="FromJson"/> to read any form).</summary>
    public RunSpecLayer(RunSpecLayerKind kind, string source, JsonObject values, IReadOnlyDictionary<string, string>? spellings = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentNullException.ThrowIfNull(values);
        Kind = kind;
        Source = source;
        Values = values;
        Spellings = spellings ?? new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>Where the layer comes from.</summary>
    public RunSpecLayerKind Kind { get; }

    /// <summary>The file, checkpoint or description the layer comes from (e.g. <c>recipes/deepcnn-mnist.json</c>, <c>the command line</c>).</summary>
    public string Source { get; }

    /// <summary>The fields the layer sets: top-level fields and, under <c>modelOptions</c>, <c>dataOptions</c> and <c>training</c>, section fields.</summary>
    public JsonObject Values { get; }

    /// <summary>How the source names a field, by path (<c>training.learningRate</c> -> <c>--lr</c>); fields missing here are named by <see cref="Spell"/>'s rule.</summary>
    public IReadOnlyDictionary<string, string> Spellings { get; }

    /// <summary>Every field path the layer sets (<c>model</c>, <c>training.epochs</c>, ...).</summary>
    public IEnumerable<string> Paths()
    {
        foreach (var (key, value) in Values)
        {
            if (value is JsonObject section && key is "training" or "dataOptions" or "modelOptions")
                foreach (var (field, _) in section) yield return key + "." + field;
            else yield return key;
        }
    }

    /// <summary>Whether the layer sets <paramref name="path"/>.</summary>
    public bool Sets(string path)
    {
        var (section, field) = RunSpecJson.Split(path);
        return section.Length == 0 ? Values.ContainsKey(field) : Values[section] is JsonObject s && s.ContainsKey(field);
    }

    /// <summary>
    /// How a message names the option at <paramref name="path"/> from this layer: as typed on the command line
    /// (<c>--lr</c>), as a recipe file's field (<c>training.learningRate in recipes/x.json</c>), as recorded by a resumed
    /// run, or as the C# property for options given in code (<c>LearningRate</c>).
    /// </summary>
    public string Spell(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Spellings.TryGetValue(path, out var spelled)) return spelled;
        return Kind switch
        {
            RunSpecLayerKind.CommandLine => "--" + Kebab(RunSpecJson.Split(path).Field),
            RunSpecLayerKind.RecipeFile => $"{path} in {Source}",
            RunSpecLayerKind.ResumedRun => $"{path} (recorded in {Source})",
            RunSpecLayerKind.BuiltInRecipe => $"{path} of the built-in recipe",
            _ => RunSpecProblem.PropertyName(path),
        };
    }

    /// <summary>
    /// A layer from a recipe file, a config.json or a printed configuration, in the current form or the previous
    /// release's. An unknown field is a <see cref="RunSpecException"/> naming it with the closest known name.
    /// </summary>
    /// <param name="root">The parsed file.</param>
    /// <param name="source">The file, for messages.</param>
    /// <param name="kind">The kind of layer (a recipe file by default).</param>
    /// <exception cref="RunSpecException">An unknown field.</exception>
    public static RunSpecLayer FromJson(JsonObject root, string source, RunSpecLayerKind kind = RunSpecLayerKind.RecipeFile)
    {
        ArgumentNullException.ThrowIfNull(root);
        var problems = new List<string>();
        var values = RunSpecJson.Normalize(root, (path, known) =>
        {
            string field = RunSpecJson.Split(path).Field;
            problems.Add($"{source}: unknown field '{path}'{Spelling.DidYouMean(field, known)}");
        });
        if (problems.Count > 0) throw new RunSpecException(problems);
        return new RunSpecLayer(kind, source, values);
    }

    /// <summary>The largest recipe file read (1 MiB; the YAML reader has the same bound).</summary>
    public const long MaxRecipeBytes = 1 << 20;

    /// <summary>
    /// A layer from a JSON recipe file (YAML is read by the CLI, which hands the same object to <see cref="FromJson"/>).
    /// </summary>
    /// <exception cref="RecipeFileException">The file is missing or not a JSON object.</exception>
    /// <exception cref="RunSpecException">An unknown field.</exception>
    public static RunSpecLayer FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new RecipeFileException(path, "no such file");
        long length = new FileInfo(path).Length;
        if (length > MaxRecipeBytes) throw new RecipeFileException(path, $"is {length:N0} bytes; a recipe file is at most {MaxRecipeBytes:N0}");
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 64 }) as JsonObject
                ?? throw new RecipeFileException(path, "is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new RecipeFileException(path, $"is not valid JSON: {e.Message}", e);
        }
        return FromJson(root, path);
    }

    /// <summary>
    /// A layer of options given in code (<see cref="RunSpecLayerKind.Code"/>): the fields where <paramref name="edit"/>'s
    /// spec differs from the defaults, e.g. <c>RunSpecLayer.FromCode(s =&gt; s with { Model = "deepcnn", Data = "mnist-sample",
    /// Training = s.Training with { Epochs = 5 } })</c>. A field set to its default value is not seen as set: give it with
    /// <see cref="With"/>.
    /// </summary>
    public static RunSpecLayer FromCode(Func<RunSpec, RunSpec> edit, string source = "code")
    {
        ArgumentNullException.ThrowIfNull(edit);
        var defaults = new RunSpec().ToJson();
        var edited = edit(new RunSpec()).ToJson();
        var values = new JsonObject();
        foreach (var (key, value) in edited)
        {
            if (value is JsonObject section && defaults[key] is JsonObject baseline)
            {
                var changed = new JsonObject();
                foreach (var (field, fieldValue) in section)
                    if (!JsonNode.DeepEquals(fieldValue, baseline[field])) changed[field] = fieldValue?.DeepClone();
                if (changed.Count > 0) values[key] = changed;
            }
            else if (!JsonNode.DeepEquals(value, defaults[key]))
            {
                values[key] = value?.DeepClone();
            }
        }
        return new RunSpecLayer(RunSpecLayerKind.Code, source, values);
    }

    /// <summary>This layer with the field at <paramref name="path"/> (<c>training.channelsLast</c>) set to <paramref name="value"/>.</summary>
    public RunSpecLayer With(string path, object? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var values = (JsonObject)Values.DeepClone();
        var node = JsonSerializer.SerializeToNode(value, RunSpecJson.Options);
        var (section, field) = RunSpecJson.Split(path);
        if (section.Length == 0) values[field] = node;
        else
        {
            if (values[section] is not JsonObject target) values[section] = target = new JsonObject();
            target[field] = node;
        }
        return new RunSpecLayer(Kind, Source, values, Spellings);
    }

    /// <summary>A complete layer holding every field of <paramref name="spec"/>.</summary>
    public static RunSpecLayer FromSpec(RunSpec spec, RunSpecLayerKind kind, string source)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new RunSpecLayer(kind, source, spec.ToJson());
    }

    /// <summary>kebab-case of a camelCase name (<c>learningRate</c> -> <c>learning-rate</c>).</summary>
    public static string Kebab(string camel)
    {
        ArgumentNullException.ThrowIfNull(camel);
        var b = new System.Text.StringBuilder(camel.Length + 4);
        foreach (char c in camel)
        {
            if (char.IsUpper(c)) b.Append('-').Append(char.ToLowerInvariant(c));
            else b.Append(c);
        }
        return b.ToString();
    }
}
