using System.Globalization;
using System.Reflection;
using ModelZoo.Cli.Commands;
using Spectre.Console.Cli;

namespace ModelZoo.Cli;

/// <summary>
/// Checks the command line against the commands' settings classes before Spectre parses it, so that a mistake gets one
/// line that names the option (unknown command or option with "did you mean", a missing or empty value, a value of the
/// wrong type or out of range) instead of the parser's .NET wording ("Failed to convert 'abc' to Nullable`1").
/// </summary>
public static class CliArguments
{
    /// <summary>Every command and its settings class (the registrations in <see cref="CliApp.Configure"/>).</summary>
    public static IReadOnlyDictionary<string, Type> Commands { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["train"] = typeof(TrainSettings),
        ["evaluate"] = typeof(EvaluateSettings),
        ["predict"] = typeof(PredictSettings),
        ["embed"] = typeof(EmbedSettings),
        ["export"] = typeof(ExportSettings),
        ["quantize"] = typeof(QuantizeSettings),
        ["import-weights"] = typeof(ImportWeightsSettings),
        ["inspect"] = typeof(InspectSettings),
        ["list"] = typeof(ListSettings),
        ["experiment"] = typeof(ExperimentSettings),
        ["report"] = typeof(ReportSettings),
        ["lr-find"] = typeof(LrFindSettings),
        ["weights list"] = typeof(WeightsListSettings),
        ["weights download"] = typeof(WeightsDownloadSettings),
    };

    private static readonly string[] HelpFlags = ["-h", "--help", "-?"];

    /// <summary>Throws a <see cref="CliException"/> (exit 2) for the first problem in <paramref name="args"/>.</summary>
    public static void Check(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 || args.Any(a => HelpFlags.Contains(a, StringComparer.Ordinal))) return;
        string command = args[0];
        if (command.StartsWith('-')) return; // --version and the like: Spectre's own
        if (command == "help") return;
        // A branch ("weights list"): the command is its first two words.
        int first = 1;
        string[] subcommands = Commands.Keys.Where(k => k.StartsWith(command + " ", StringComparison.Ordinal)).Select(k => k[(command.Length + 1)..]).ToArray();
        if (subcommands.Length > 0)
        {
            string sub = args.Count > 1 ? args[1] : "";
            if (!subcommands.Contains(sub, StringComparer.Ordinal))
                throw CliException.Usage(sub.Length == 0
                    ? $"{command}: give a subcommand: {string.Join(", ", subcommands)}"
                    : $"{command}: unknown subcommand '{sub}'{Suggestions.DidYouMean(sub, subcommands)} Subcommands: {string.Join(", ", subcommands)}");
            command += " " + sub;
            first = 2;
        }
        if (!Commands.TryGetValue(command, out var settings))
            throw CliException.Usage($"unknown command '{command}'{Suggestions.DidYouMean(command, Commands.Keys)} Commands: {string.Join(", ", Commands.Keys)}");

        var options = OptionsOf(settings);
        bool takesArguments = settings.GetProperties().Any(p => p.GetCustomAttribute<CommandArgumentAttribute>() is not null);
        for (int i = first; i < args.Count; i++)
        {
            string token = args[i];
            if (token == "--")
            {
                if (!takesArguments && i + 1 < args.Count) throw CliException.Usage($"{command}: unexpected argument '{args[i + 1]}'");
                return;
            }
            if (!IsOptionToken(token))
            {
                if (!takesArguments) throw CliException.Usage($"{command}: unexpected argument '{token}'" + (token.Length == 0 ? " (an empty string)" : ""));
                continue;
            }
            string name = token;
            string? inline = null;
            int eq = token.IndexOfAny(['=', ':']);
            if (eq > 0)
            {
                name = token[..eq];
                inline = token[(eq + 1)..];
            }
            if (!options.TryGetValue(name, out var option))
            {
                throw CliException.Usage($"{command}: unknown option '{name}'{Suggestions.DidYouMean(name, options.Keys.Where(k => k.StartsWith("--", StringComparison.Ordinal)))}");
            }
            if (option.IsFlag)
            {
                if (inline is not null && !bool.TryParse(inline, out _)) throw CliException.Usage($"{option.Display} is a switch and takes no value, got '{inline}'");
                continue;
            }
            string? value = inline;
            if (value is null)
            {
                if (i + 1 >= args.Count || IsOptionToken(args[i + 1]))
                    throw CliException.Usage($"{(name.StartsWith("--", StringComparison.Ordinal) ? name : option.Display)} needs a value ({option.ValueName})");
                value = args[++i];
            }
            // Messages name the option as it was typed (an alias such as --lr included); a short name as its long one.
            CheckValue(name.StartsWith("--", StringComparison.Ordinal) ? option with { Display = name } : option, value);
        }
    }

    private static bool IsOptionToken(string token) =>
        token.Length > 1 && token[0] == '-' && !(char.IsDigit(token[1]) || token[1] == '.');

    private static void CheckValue(OptionInfo option, string value)
    {
        if (value.Trim().Length == 0) throw CliException.Usage($"{option.Display} needs a value ({option.ValueName}), got an empty string");
        var type = Nullable.GetUnderlyingType(option.Type) ?? option.Type;
        if (type.IsArray) type = type.GetElementType()!;
        var inv = CultureInfo.InvariantCulture;
        if (type == typeof(int) || type == typeof(long))
        {
            if (!long.TryParse(value, NumberStyles.AllowLeadingSign, inv, out long v))
            {
                bool numeric = decimal.TryParse(value, NumberStyles.Float, inv, out decimal d);
                throw CliException.Usage(numeric && d == Math.Truncate(d)
                    ? $"{option.Display}: {value} is out of range"
                    : $"{option.Display} must be a whole number, not '{value}'");
            }
            if (type == typeof(int) && v is < int.MinValue or > int.MaxValue) throw CliException.Usage($"{option.Display}: {value} is out of range");
        }
        else if (type == typeof(double) || type == typeof(float))
        {
            if (!double.TryParse(value, NumberStyles.Float, inv, out double v))
                throw CliException.Usage($"{option.Display} must be a number, not '{value}'");
            if (!double.IsFinite(v) || (type == typeof(float) && !float.IsFinite((float)v)))
                throw CliException.Usage($"{option.Display} must be a finite number, not '{value}'");
        }
    }

    private static Dictionary<string, OptionInfo> OptionsOf(Type settings)
    {
        var map = new Dictionary<string, OptionInfo>(StringComparer.Ordinal);
        foreach (var p in settings.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetCustomAttribute<CommandOptionAttribute>() is not { } a) continue;
            string display = a.LongNames.Count > 0 ? "--" + a.LongNames[0] : "-" + a.ShortNames[0];
            bool flag = a.ValueName is null || (Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType) == typeof(bool);
            var info = new OptionInfo(display, a.ValueName ?? "", p.PropertyType, flag);
            foreach (string l in a.LongNames) map["--" + l] = info;
            foreach (string s in a.ShortNames) map["-" + s] = info;
        }
        return map;
    }

    private sealed record OptionInfo(string Display, string ValueName, Type Type, bool IsFlag);
}
