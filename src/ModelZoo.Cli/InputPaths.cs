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
        return Directory.Exists(path) ? $"{option}: '{path}' is a folder; give a file" : $"{option}: '{path}' does not exist";
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
            : $"{option}: '{spec}' is not {names} and no such folder exists{Suggestions.DidYouMean(spec, DataSpec.Names)}";
    }
}
