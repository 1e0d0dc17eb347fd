using System.Text.RegularExpressions;

namespace ModelZoo.Training;

/// <summary>
/// One thing wrong with a <see cref="RunSpec"/>: the option's path in the spec's JSON form (<c>training.epochs</c>) and a
/// message template in which <c>{path}</c> tokens stand for options, spelled where the message is shown: the
/// command-line option the user typed (<c>--epochs</c>), a recipe file's field, or the C# property (<c>Epochs</c>).
/// </summary>
/// <param name="Path">The option at fault.</param>
/// <param name="Template">The message, with <c>{path}</c> tokens for the options it names.</param>
public sealed partial record RunSpecProblem(string Path, string Template)
{
    /// <summary>The message with every <c>{path}</c> token replaced by <paramref name="spell"/>'s answer.</summary>
    public string Format(Func<string, string> spell)
    {
        ArgumentNullException.ThrowIfNull(spell);
        return Token().Replace(Template, m => spell(m.Groups[1].Value));
    }

    /// <summary>The message with options named as C# properties (<c>training.epochs</c> reads <c>Epochs</c>).</summary>
    public string FormatForCode() => Format(PropertyName);

    /// <summary>The C# property a path ends in: its last segment with a capital first letter.</summary>
    public static string PropertyName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string last = path[(path.LastIndexOf('.') + 1)..];
        return last.Length == 0 ? path : char.ToUpperInvariant(last[0]) + last[1..];
    }

    [GeneratedRegex(@"\{([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*)\}")]
    private static partial Regex Token();
}
