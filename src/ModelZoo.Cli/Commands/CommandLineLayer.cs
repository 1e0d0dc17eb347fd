using System.Reflection;
using System.Text.Json.Nodes;
using ModelZoo.Training;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// The command line as the top layer of a run spec: exactly the <see cref="SpecFieldAttribute"/> options the user typed
/// (nothing else, so the layers below keep every other field), each spelled as typed for the library's messages
/// (<c>--lr</c> or <c>--learning-rate</c>). No option is checked here: the library checks the spec once.
/// </summary>
public static class CommandLineLayer
{
    /// <summary>The layer of <paramref name="settings"/>, spelled after <paramref name="arguments"/> (the raw command line).</summary>
    public static RunSpecLayer From(CommandSettings settings, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(arguments);
        var values = new JsonObject();
        var spellings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in settings.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<SpecFieldAttribute>() is not { } field) continue;
            var option = property.GetCustomAttribute<CommandOptionAttribute>();
            object? value = property.GetValue(settings);
            JsonNode? node;
            switch (value)
            {
                case null:
                case false:
                    continue;
                case true:
                    node = JsonValue.Create(field.Value);
                    break;
                case string s:
                    node = JsonValue.Create(s);
                    break;
                case int i:
                    node = JsonValue.Create(i);
                    break;
                case long l:
                    node = JsonValue.Create(l);
                    break;
                case double d:
                    node = JsonValue.Create(d);
                    break;
                default:
                    throw new InvalidOperationException($"{property.Name}: a {value.GetType().Name} option cannot be a spec field");
            }
            var (section, name) = Split(field.Path);
            if (section.Length == 0) values[name] = node;
            else
            {
                if (values[section] is not JsonObject target) values[section] = target = new JsonObject();
                target[name] = node;
            }
            if (option is not null) spellings[field.Path] = Typed(option, arguments);
        }
        return new RunSpecLayer(RunSpecLayerKind.CommandLine, "the command line", values, spellings);
    }

    private static (string Section, string Field) Split(string path)
    {
        int dot = path.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? ("", path) : (path[..dot], path[(dot + 1)..]);
    }

    /// <summary>The option as the user typed it (the last of its names on the command line), else its first long name.</summary>
    private static string Typed(CommandOptionAttribute option, IReadOnlyList<string> arguments)
    {
        var names = option.LongNames.Select(n => "--" + n).Concat(option.ShortNames.Select(n => "-" + n)).ToList();
        string display = option.LongNames.Count > 0 ? "--" + option.LongNames[0] : "-" + option.ShortNames[0];
        for (int i = arguments.Count - 1; i >= 0; i--)
        {
            string token = arguments[i];
            int eq = token.IndexOfAny(['=', ':']);
            string name = eq > 0 ? token[..eq] : token;
            if (names.Contains(name, StringComparer.Ordinal)) return name.StartsWith("--", StringComparison.Ordinal) ? name : display;
        }
        return display;
    }
}
