using ModelZoo.Data;

namespace ModelZoo.Cli;

/// <summary>Checks of the paths a command reads, for its settings' <c>Validate</c>: one message naming the option, or null.</summary>
public static class InputPaths
{
    /// <summary>A file to read: null when it exists; otherwise why not (a folder, or missing).</summary>
    public static string? FileProblem(string option, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path)) return null;
        if (Directory.Exists(path)) return $"{option}: '{path}' is a folder; give a file";
        return $"{option}: '{path}' does not exist" + (Suggestions.ClosestPath(path, file: true) is string close ? $"; did you mean '{close}'?" : "");
    }

    /// <summary>A data spec: null for a known name or an existing folder; otherwise why not, with the closest name.</summary>
    public static string? DataProblem(string option, string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string name = spec.Trim().ToLowerInvariant();
        if (DataSpec.Names.Contains(name, StringComparer.Ordinal) || name == "fashionmnist" || Directory.Exists(spec)) return null;
        string names = string.Join(", ", DataSpec.Names);
        return File.Exists(spec)
            ? $"{option}: '{spec}' is a file; give {names} or a folder"
            : $"{option}: '{spec}' is not {names} and no such folder exists{DidYouMeanData(spec)}";
    }

    /// <summary>The nearest existing folder when the spec looks like a path with a typo, else the nearest data set name.</summary>
    private static string DidYouMeanData(string spec)
    {
        bool looksLikePath = spec.Contains('/', StringComparison.Ordinal) || spec.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || spec.StartsWith('.');
        if (!looksLikePath && Suggestions.DidYouMean(spec, DataSpec.Names) is { Length: > 0 } name) return name;
        return Suggestions.ClosestPath(spec) is string folder ? $"; did you mean '{folder}'?" : "";
    }
}
