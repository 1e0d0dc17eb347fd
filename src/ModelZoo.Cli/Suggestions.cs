namespace ModelZoo.Cli;

/// <summary>"Did you mean" for the CLI's mistyped names: the library's rule (<see cref="Spelling"/>).</summary>
public static class Suggestions
{
    /// <summary>The candidate closest to <paramref name="input"/> when it is plausibly a typo of it (<see cref="Spelling.Closest"/>).</summary>
    public static string? Closest(string input, IEnumerable<string> candidates) => Spelling.Closest(input, candidates);

    /// <summary>"; did you mean 'x'?" or "" when nothing is close.</summary>
    public static string DidYouMean(string input, IEnumerable<string> candidates) => Spelling.DidYouMean(input, candidates);

    /// <summary>
    /// The existing path closest to <paramref name="path"/> when some of its names are typos
    /// (<c>../shared/datasets/imagenete-mini</c> to <c>../shared/datasets/imagenette-mini</c>): each name that does
    /// not exist is replaced by the closest entry of the folder above it, in the user's own spelling of the rest
    /// (relative stays relative). A folder when <paramref name="file"/> is false, a file otherwise; null when a name
    /// has no close entry. Reads at most <see cref="MaxEntriesPerFolder"/> entries of each folder on the way.
    /// </summary>
    public static string? ClosestPath(string path, bool file = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        string trimmed = path.Trim();
        if (trimmed.Length == 0) return null;
        char[] separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];
        bool rooted = Path.IsPathRooted(trimmed);
        string[] names = trimmed.Split(separators, StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0) return null;
        string current = rooted ? Path.GetPathRoot(trimmed)! : "";
        bool changed = false;
        for (int i = 0; i < names.Length; i++)
        {
            bool last = i == names.Length - 1;
            string name = names[i];
            string next = current.Length == 0 ? name : Path.Combine(current, name);
            bool exists = last && file ? File.Exists(next) : Directory.Exists(next);
            if (!exists)
            {
                if (name is "." or "..") return null;
                string folder = current.Length == 0 ? "." : current;
                IEnumerable<string> entries;
                try
                {
                    entries = (last && file ? Directory.EnumerateFiles(folder) : Directory.EnumerateDirectories(folder))
                        .Take(MaxEntriesPerFolder).Select(e => Path.GetFileName(e)).ToList();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return null;
                }
                if (Closest(name, entries) is not string close) return null;
                names[i] = close;
                next = current.Length == 0 ? close : Path.Combine(current, close);
                changed = true;
            }
            current = next;
        }
        return changed ? current : null;
    }

    /// <summary>At most this many entries of one folder are read by <see cref="ClosestPath"/>.</summary>
    public const int MaxEntriesPerFolder = 10_000;

    /// <summary>Natural order: digit runs compare as numbers, so resnet18 comes before resnet101.</summary>
    public static IComparer<string> NaturalOrder => Spelling.NaturalOrder;
}
