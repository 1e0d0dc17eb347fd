using System.Reflection;
using System.Text.Json;

namespace ModelZoo.Data.Folders;

/// <summary>
/// Human-readable class names for display: a class id (the folder name, say <c>n01440764</c>) keeps being the class's
/// identity in checkpoints and JSON, and this maps it to what a person reads ("tench"). Sources, first match wins:
/// a <c>classes.txt</c> or <c>classes.json</c> in the data set's folder (beside its <c>train/</c> and <c>val/</c> or
/// its class folders), then the ImageNet WordNet-id map shipped with the library (1,000 ILSVRC-2012 classes), then the
/// id itself.
/// </summary>
/// <remarks>
/// <c>classes.txt</c>: either one name per line in class order (exactly as many non-empty lines as classes), or lines
/// <c>ID&lt;tab&gt;NAME</c> (or <c>ID NAME</c>, or <c>ID: NAME</c>) keyed by class id, in any order and for any subset.
/// <c>classes.json</c>: an array of names in class order, or an object <c>{"ID": "NAME"}</c>. Lines starting with
/// <c>#</c> are comments.
/// </remarks>
public static class ClassNames
{
    /// <summary>The text file of names looked for in a data set's folder.</summary>
    public const string TextFileName = "classes.txt";

    /// <summary>The JSON file of names looked for in a data set's folder.</summary>
    public const string JsonFileName = "classes.json";

    private static readonly Lazy<(IReadOnlyList<string> Ids, IReadOnlyDictionary<string, string> Names)> ImageNet = new(LoadWordNet);

    /// <summary>
    /// The ImageNet WordNet-id-to-name map (1,000 entries, <c>n01440764</c> -> "tench"): the synset's first lemma, or
    /// torchvision's category name where that tells two classes apart (<c>crane bird</c>, <c>maillot tank suit</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, string> WordNet => ImageNet.Value.Names;

    /// <summary>
    /// The 1,000 ImageNet-1k class ids in class order (sorted WordNet ids: the output order of torchvision's and timm's
    /// 1,000-class weights), so that output 207 is <c>n02099601</c>, "golden retriever".
    /// </summary>
    public static IReadOnlyList<string> ImageNetClassIds => ImageNet.Value.Ids;

    /// <summary>The readable name of an ImageNet WordNet id, or null when it is not one of the 1,000 classes.</summary>
    public static string? WordNetName(string wordNetId)
    {
        ArgumentNullException.ThrowIfNull(wordNetId);
        return WordNet.TryGetValue(wordNetId.Trim(), out var name) ? name : null;
    }

    /// <summary>
    /// The display names of <paramref name="classes"/>: from <c>classes.txt</c>/<c>classes.json</c> in
    /// <paramref name="folder"/> (when given and present), else the WordNet map, else the id.
    /// </summary>
    /// <param name="classes">The class ids, in class order.</param>
    /// <param name="folder">The data set's folder, or null.</param>
    /// <exception cref="ModelZooDataException">A names file is there but malformed (the message names the file and line).</exception>
    public static IReadOnlyList<string> Display(IReadOnlyList<string> classes, string? folder = null)
    {
        ArgumentNullException.ThrowIfNull(classes);
        var fromFile = folder is not null ? ReadBeside(folder, classes) : null;
        var names = new string[classes.Count];
        for (int i = 0; i < classes.Count; i++)
        {
            string id = classes[i];
            names[i] = fromFile is not null && fromFile.TryGetValue(id, out var n) ? n : WordNetName(id) ?? id;
        }
        return names;
    }

    /// <summary>
    /// Display names for a data spec: a spec that is an existing folder is looked in for a names file (and, when it is
    /// a <c>train/</c> or <c>val/</c> folder, its parent too); any other spec (mnist, a file) uses the WordNet map and the ids.
    /// </summary>
    /// <exception cref="ModelZooDataException">A names file is there but malformed.</exception>
    public static IReadOnlyList<string> ForData(IReadOnlyList<string> classes, string? dataSpec)
    {
        ArgumentNullException.ThrowIfNull(classes);
        string? folder = null;
        if (!string.IsNullOrWhiteSpace(dataSpec) && Directory.Exists(dataSpec))
        {
            folder = Path.GetFullPath(dataSpec);
            if (!HasNamesFile(folder) && Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)) is "train" or "val"
                && Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(folder)) is string parent && HasNamesFile(parent))
                folder = parent;
        }
        return Display(classes, folder);
    }

    /// <summary>
    /// The id-to-name map of the names file in <paramref name="folder"/> (<c>classes.json</c> first, then
    /// <c>classes.txt</c>), or null when there is none.
    /// </summary>
    /// <exception cref="ModelZooDataException">The file is malformed or does not fit <paramref name="classes"/>.</exception>
    public static IReadOnlyDictionary<string, string>? ReadBeside(string folder, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(classes);
        string json = Path.Combine(folder, JsonFileName);
        if (File.Exists(json)) return ParseJson(File.ReadAllText(json), classes, json);
        string text = Path.Combine(folder, TextFileName);
        if (File.Exists(text)) return ParseText(File.ReadAllLines(text), classes, text);
        return null;
    }

    /// <summary>Parses the lines of a <c>classes.txt</c> (see the remarks of <see cref="ClassNames"/>).</summary>
    /// <exception cref="ModelZooDataException">Neither one name per class nor id-keyed lines.</exception>
    public static IReadOnlyDictionary<string, string> ParseText(IReadOnlyList<string> lines, IReadOnlyList<string> classes, string source = TextFileName)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(classes);
        var content = lines.Select((l, i) => (Line: l.Trim(), Number: i + 1)).Where(l => l.Line.Length > 0 && !l.Line.StartsWith('#')).ToList();
        var ids = new HashSet<string>(classes, StringComparer.Ordinal);
        var keyed = new Dictionary<string, string>(StringComparer.Ordinal);
        bool allKeyed = content.Count > 0;
        foreach (var (line, _) in content)
        {
            var (id, name) = SplitKeyed(line);
            if (id is null || !ids.Contains(id) || name.Length == 0) { allKeyed = false; break; }
            keyed[id] = name;
        }
        if (allKeyed) return keyed;
        if (content.Count == classes.Count)
        {
            var ordered = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < classes.Count; i++) ordered[classes[i]] = content[i].Line;
            return ordered;
        }
        throw new ModelZooDataException(
            $"'{source}' has {content.Count} names for {classes.Count} classes; give one name per line in class order ({string.Join(", ", classes.Take(3))}, ...) or lines 'ID<tab>NAME' with class folder names as ids",
            source);
    }

    /// <summary>Parses a <c>classes.json</c>: an array of names in class order or an object of id to name.</summary>
    /// <exception cref="ModelZooDataException">Not valid JSON, or it does not fit <paramref name="classes"/>.</exception>
    public static IReadOnlyDictionary<string, string> ParseJson(string json, IReadOnlyList<string> classes, string source = JsonFileName)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(classes);
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.ValueKind == JsonValueKind.Array)
            {
                var names = root.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()!.Trim() : throw new ModelZooDataException($"'{source}': every entry of the array must be a string", source)).ToList();
                if (names.Count != classes.Count)
                    throw new ModelZooDataException($"'{source}' has {names.Count} names for {classes.Count} classes", source);
                for (int i = 0; i < classes.Count; i++) map[classes[i]] = names[i];
                return map;
            }
            if (root.ValueKind == JsonValueKind.Object)
            {
                var ids = new HashSet<string>(classes, StringComparer.Ordinal);
                foreach (var p in root.EnumerateObject())
                {
                    if (!ids.Contains(p.Name)) throw new ModelZooDataException($"'{source}': '{p.Name}' is not one of the classes ({string.Join(", ", classes.Take(5))}, ...)", source);
                    if (p.Value.ValueKind != JsonValueKind.String) throw new ModelZooDataException($"'{source}': the name of '{p.Name}' must be a string", source);
                    map[p.Name] = p.Value.GetString()!.Trim();
                }
                return map;
            }
            throw new ModelZooDataException($"'{source}' must hold an array of names or an object of class id to name", source);
        }
        catch (JsonException e)
        {
            throw new ModelZooDataException($"'{source}' is not valid JSON: {e.Message}", source, e);
        }
    }

    private static bool HasNamesFile(string folder) =>
        File.Exists(Path.Combine(folder, JsonFileName)) || File.Exists(Path.Combine(folder, TextFileName));

    private static (string? Id, string Name) SplitKeyed(string line)
    {
        int tab = line.IndexOf('\t');
        if (tab > 0) return (line[..tab].Trim().TrimEnd(':'), line[(tab + 1)..].Trim());
        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon > 0) return (line[..colon].Trim(), line[(colon + 2)..].Trim());
        int space = line.IndexOf(' ');
        if (space > 0) return (line[..space], line[(space + 1)..].Trim());
        return (null, "");
    }

    private static (IReadOnlyList<string>, IReadOnlyDictionary<string, string>) LoadWordNet()
    {
        const string resource = "ModelZoo.Data.Resources.imagenet.wordnet-ids.tsv";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the embedded resource {resource} is missing from ModelZoo.Data");
        using var reader = new StreamReader(stream);
        var ids = new List<string>(1000);
        var map = new Dictionary<string, string>(1000, StringComparer.Ordinal);
        while (reader.ReadLine() is string line)
        {
            // ID<tab>LEMMA[<tab>DISPLAY NAME]: the optional third column disambiguates a lemma two classes share.
            var fields = line.Split('\t');
            if (fields.Length < 2 || fields[0].Length == 0) continue;
            ids.Add(fields[0]);
            map[fields[0]] = fields.Length > 2 && fields[2].Length > 0 ? fields[2] : fields[1];
        }
        return (ids, map);
    }
}
