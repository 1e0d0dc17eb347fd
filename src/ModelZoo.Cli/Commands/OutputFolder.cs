using ModelZoo.Training;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// How a command publishes its results: a folder is written whole into a staging folder next to the target and then
/// swapped in (an existing folder the user asked to replace is moved aside first and deleted only once the new one is
/// in place, <see cref="FolderReplacement"/>); a file is written to a temporary name and renamed. Nothing is ever
/// half-written or mixed with an older result.
/// </summary>
internal static class OutputFolder
{
    /// <summary>
    /// Writes <paramref name="folder"/> with <paramref name="write"/> (called with the staging folder) and swaps it in;
    /// <paramref name="replace"/>: the folder exists and may be replaced (<see cref="OutputPaths.CheckFolder"/>'s answer).
    /// </summary>
    /// <returns>The full path of the published folder.</returns>
    public static string Publish(string folder, bool replace, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string final = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        string staging = $"{final}.partial-{Guid.NewGuid().ToString("N")[..8]}";
        Directory.CreateDirectory(staging);
        try
        {
            write(staging);
            using var replacement = FolderReplacement.Begin(final, replace);
            if (Directory.Exists(final)) Directory.Delete(final); // empty: a non-empty one was moved aside
            Directory.Move(staging, final);
            replacement.Commit();
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return final;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> through a temporary file in the same folder and a rename.</summary>
    public static void WriteFile(string path, string text)
    {
        string full = Path.GetFullPath(path);
        string temp = $"{full}.{Guid.NewGuid().ToString("N")[..8]}.tmp";
        try
        {
            File.WriteAllText(temp, text);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
