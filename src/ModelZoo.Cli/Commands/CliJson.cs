using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelZoo.Cli.Commands;

/// <summary>JSON writing for <c>--json</c> output: compact, UTF-8 friendly (no \u escapes for '+' or quotes).</summary>
public static class CliJson
{
    /// <summary>Compact options.</summary>
    public static JsonSerializerOptions Compact { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Indented options (files).</summary>
    public static JsonSerializerOptions Indented { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    /// <summary>The node as compact JSON.</summary>
    public static string Write(JsonNode node) => node.ToJsonString(Compact);
}
