using System.Globalization;
using System.Text.Json.Nodes;
using ModelZoo.Training;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// Converts a YAML recipe to the JSON object <see cref="RecipeFile.FromJson"/> checks, from YamlDotNet's event stream
/// (not its representation model, which builds nested nodes by recursion and expands nothing until copied), in
/// bounded time and memory whatever the file holds: at most <see cref="MaxFileBytes"/> bytes, nesting at most
/// <see cref="MaxDepth"/> deep (as the JSON reader), and at most <see cref="MaxNodes"/> nodes and
/// <see cref="MaxScalarChars"/> characters of scalars after aliases are expanded (a "billion laughs" file of nested
/// aliases is refused after that much work, before it is copied). Mapping keys must be scalars, each once per mapping.
/// Plain scalars are typed by YAML 1.2's core schema: null, true/false, integers, floats, else strings; quoted scalars
/// and <c>!!str</c> are strings. Every problem is a <see cref="RecipeFileException"/> naming the file and the line.
/// </summary>
public static class YamlRecipeReader
{
    /// <summary>Largest recipe file read, in bytes (a recipe is a few hundred bytes).</summary>
    public const long MaxFileBytes = 1 << 20;

    /// <summary>Deepest nesting of mappings and sequences (the root mapping is depth 1), as the JSON reader's default.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes (mappings, sequences, scalars) after alias expansion.</summary>
    public const int MaxNodes = 100_000;

    /// <summary>Most scalar characters after alias expansion.</summary>
    public const long MaxScalarChars = 4 << 20;

    private const string StrTag = "tag:yaml.org,2002:str";

    /// <summary>Reads <paramref name="path"/> as one YAML document whose root is a mapping.</summary>
    /// <exception cref="RecipeFileException">Missing, too large, not YAML, over a bound, a non-scalar or repeated key, or not a mapping.</exception>
    public static JsonObject Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new RecipeFileException(path, "no such file");
            if (info.Length > MaxFileBytes)
                throw new RecipeFileException(path, $"is {info.Length:N0} bytes; a recipe file is at most {MaxFileBytes:N0}");
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecipeFileException(path, $"cannot be read: {e.Message}", e);
        }
        try
        {
            return new Converter(path, new Parser(new StringReader(text))).Document();
        }
        catch (YamlException e)
        {
            throw new RecipeFileException(path, $"is not valid YAML: {e.Message}", e);
        }
    }

    private sealed class Converter(string path, IParser parser)
    {
        private readonly Dictionary<string, Anchored> _anchors = new(StringComparer.Ordinal);
        private int _nodes;
        private long _chars;

        private sealed record Anchored(JsonNode? Node, bool IsScalar, int Nodes, long Chars);

        public JsonObject Document()
        {
            Expect<StreamStart>();
            if (Peek() is StreamEnd) throw Error(Peek(), "holds no YAML document; a recipe is one mapping");
            Expect<DocumentStart>();
            var root = Node(depth: 1);
            Expect<DocumentEnd>();
            if (Peek() is not StreamEnd) throw Error(Peek(), "holds more than one YAML document; a recipe is one");
            return root as JsonObject ?? throw new RecipeFileException(path, "is not a YAML mapping");
        }

        private JsonNode? Node(int depth)
        {
            var e = Next();
            switch (e)
            {
                case Scalar scalar:
                {
                    Count(e, 1, scalar.Value.Length);
                    var node = ScalarValue(scalar);
                    Remember(scalar.Anchor, node, isScalar: true, 1, scalar.Value.Length);
                    return node;
                }
                case AnchorAlias alias:
                {
                    var anchored = Resolve(alias);
                    // Counted before it is copied: nested aliases multiply, and the budget stops them first.
                    Count(e, anchored.Nodes, anchored.Chars);
                    return anchored.Node?.DeepClone();
                }
                case SequenceStart sequence:
                {
                    CheckDepth(e, depth);
                    int nodes = _nodes;
                    long chars = _chars;
                    Count(e, 1, 0);
                    var array = new JsonArray();
                    while (Peek() is not SequenceEnd) array.Add(Node(depth + 1));
                    Next();
                    Remember(sequence.Anchor, array, isScalar: false, _nodes - nodes, _chars - chars);
                    return array;
                }
                case MappingStart mapping:
                {
                    CheckDepth(e, depth);
                    int nodes = _nodes;
                    long chars = _chars;
                    Count(e, 1, 0);
                    var map = new JsonObject();
                    while (Peek() is not MappingEnd)
                    {
                        var keyEvent = Peek();
                        string key = Key();
                        if (map.ContainsKey(key)) throw Error(keyEvent, $"has the key '{key}' twice in one mapping");
                        map.Add(key, Node(depth + 1));
                    }
                    Next();
                    Remember(mapping.Anchor, map, isScalar: false, _nodes - nodes, _chars - chars);
                    return map;
                }
                default:
                    throw Error(e, $"has an unexpected YAML {e.GetType().Name}");
            }
        }

        /// <summary>A mapping key: a scalar, or an alias of one; anything else is refused.</summary>
        private string Key()
        {
            var e = Next();
            switch (e)
            {
                case Scalar scalar:
                    Count(e, 1, scalar.Value.Length);
                    Remember(scalar.Anchor, JsonValue.Create(scalar.Value), isScalar: true, 1, scalar.Value.Length);
                    return scalar.Value;
                case AnchorAlias alias when Resolve(alias) is { IsScalar: true } anchored:
                    Count(e, 1, anchored.Chars);
                    return anchored.Node?.ToString() ?? "";
                case AnchorAlias:
                    throw Error(e, "has a mapping key that is an alias of a mapping or sequence; keys must be plain names");
                case MappingStart or SequenceStart:
                    throw Error(e, $"has a mapping key that is a {(e is MappingStart ? "mapping" : "sequence")}; keys must be plain names");
                default:
                    throw Error(e, $"has an unexpected YAML {e.GetType().Name} where a key should be");
            }
        }

        private Anchored Resolve(AnchorAlias alias) =>
            _anchors.TryGetValue(alias.Value.Value, out var anchored) ? anchored
                : throw Error(alias, $"uses the alias *{alias.Value.Value}, which refers to no complete anchor before it");

        private void Remember(AnchorName anchor, JsonNode? node, bool isScalar, int nodes, long chars)
        {
            if (!anchor.IsEmpty) _anchors[anchor.Value] = new Anchored(node, isScalar, nodes, chars);
        }

        private void CheckDepth(ParsingEvent e, int depth)
        {
            if (depth > MaxDepth) throw Error(e, $"nests mappings and sequences more than {MaxDepth} deep");
        }

        private void Count(ParsingEvent e, int nodes, long chars)
        {
            _nodes += nodes;
            _chars += chars;
            if (_nodes > MaxNodes || _chars > MaxScalarChars)
                throw Error(e, $"expands to more than {MaxNodes:N0} nodes or {MaxScalarChars:N0} characters (aliases of aliases?); a recipe is a few dozen values");
        }

        /// <summary>The next event, consumed (YamlDotNet's <c>Current</c> is the next unconsumed event).</summary>
        private ParsingEvent Next()
        {
            var e = Peek();
            parser.MoveNext();
            return e;
        }

        /// <summary>The next event, not consumed.</summary>
        private ParsingEvent Peek()
        {
            try
            {
                if (parser.Accept<ParsingEvent>(out var next)) return next;
            }
            catch (EndOfStreamException)
            {
            }
            throw new RecipeFileException(path, "ends in the middle of a YAML document");
        }

        private T Expect<T>() where T : ParsingEvent
        {
            var e = Next();
            return e as T ?? throw Error(e, $"has a YAML {e.GetType().Name} where a {typeof(T).Name} should be");
        }

        private RecipeFileException Error(ParsingEvent e, string problem) =>
            new(path, $"{problem} (line {e.Start.Line.ToString(CultureInfo.InvariantCulture)})");

        private static JsonNode? ScalarValue(Scalar scalar)
        {
            string text = scalar.Value;
            if (scalar.Style is not ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StrTag)) return JsonValue.Create(text);
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
}
