using System.Text.RegularExpressions;
using ModelZoo.Data.Folders;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// Expands <c>predict</c>'s IMAGE arguments: a file stands for itself, a folder for every image file under it
/// (recursively, by the image folders' extensions), and a pattern with <c>*</c>, <c>?</c> or <c>**</c> for the files
/// it matches (for example <c>photos/*.jpg</c> or <c>data/**/*.png</c>), each group sorted by path. An argument that
/// names nothing is a problem reported beside the others, not the end of the command.
/// </summary>
internal static class ImageArguments
{
    /// <summary>The files in argument order (duplicates removed) and the arguments that matched nothing, with why.</summary>
    public static (IReadOnlyList<string> Files, IReadOnlyList<(string Argument, string Problem)> Problems) Expand(IEnumerable<string> arguments)
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<(string, string)>();
        var extensions = new ImageFolderOptions().Extensions!;
        void Add(string path)
        {
            if (seen.Add(Path.GetFullPath(path))) files.Add(path);
        }

        foreach (string argument in arguments)
        {
            if (string.IsNullOrWhiteSpace(argument))
            {
                problems.Add((argument, "empty image argument"));
            }
            else if (File.Exists(argument))
            {
                Add(argument);
            }
            else if (Directory.Exists(argument))
            {
                var found = Directory.EnumerateFiles(argument, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint })
                    .Where(f => extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .OrderBy(f => f, StringComparer.Ordinal).ToList();
                if (found.Count == 0) problems.Add((argument, $"folder has no image files ({string.Join(", ", extensions)})"));
                found.ForEach(Add);
            }
            else if (argument.IndexOfAny(['*', '?']) >= 0)
            {
                var found = Glob(argument);
                if (found.Count == 0) problems.Add((argument, "no file matches this pattern"));
                found.ForEach(Add);
            }
            else
            {
                problems.Add((argument, "no such file or folder"));
            }
        }
        return (files, problems);
    }

    private static List<string> Glob(string pattern)
    {
        // The folder part before the first wildcard is the root; the rest is matched segment by segment, '**' standing
        // for any number of folders. (Microsoft.Extensions.FileSystemGlobbing has no '?', so this is the shell's rule.)
        string normalized = pattern.Replace('\\', '/');
        int wildcard = normalized.IndexOfAny(['*', '?']);
        int slash = normalized.LastIndexOf('/', wildcard);
        string root = slash < 0 ? "." : slash == 0 ? "/" : normalized[..slash];
        string[] segments = normalized[(slash + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (!Directory.Exists(root) || segments.Length == 0) return [];
        var found = new List<string>();
        Walk(root, segments, 0, found);
        return found.Select(f => slash < 0 ? Path.GetRelativePath(".", f) : f).Distinct().OrderBy(f => f, StringComparer.Ordinal).ToList();
    }

    private static void Walk(string folder, string[] segments, int index, List<string> found)
    {
        string segment = segments[index];
        bool last = index == segments.Length - 1;
        if (segment == "**")
        {
            if (last) return;
            Walk(folder, segments, index + 1, found);
            foreach (string sub in SafeFolders(folder)) Walk(sub, segments, index, found);
            return;
        }
        var regex = new Regex("^" + Regex.Escape(segment).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.CultureInvariant);
        if (last)
        {
            foreach (string file in SafeFiles(folder)) if (regex.IsMatch(Path.GetFileName(file))) found.Add(file);
        }
        else
        {
            foreach (string sub in SafeFolders(folder)) if (regex.IsMatch(Path.GetFileName(sub))) Walk(sub, segments, index + 1, found);
        }
    }

    private static IEnumerable<string> SafeFiles(string folder)
    {
        try { return Directory.GetFiles(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    private static IEnumerable<string> SafeFolders(string folder)
    {
        // Linked folders are not followed: a link cycle would never end.
        try { return Directory.GetDirectories(folder).Where(d => new DirectoryInfo(d).LinkTarget is null).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }
}
