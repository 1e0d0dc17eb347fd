namespace ModelZoo.Cli;

/// <summary>"Did you mean" for mistyped names: models, options, commands, presets.</summary>
public static class Suggestions
{
    /// <summary>
    /// The candidate closest to <paramref name="input"/> when it is plausibly a typo of it (a small edit distance,
    /// or a prefix such as <c>--batch</c> of <c>--batch-size</c>); null when nothing is close.
    /// </summary>
    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(candidates);
        string needle = Normalize(input);
        if (needle.Length == 0) return null;
        string? best = null;
        int bestScore = int.MaxValue;
        foreach (string candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            string c = Normalize(candidate);
            int distance = Distance(needle, c);
            int limit = Math.Max(1, Math.Min(needle.Length, c.Length) / 3);
            // A prefix of at least 3 characters counts as close (--batch for --batch-size, resnet for resnet18).
            int score = distance <= limit ? distance : c.StartsWith(needle, StringComparison.Ordinal) && needle.Length >= 3 ? limit + 1 : int.MaxValue;
            // Ties: a candidate that extends the input (resnet5 -> resnet50), then the ordinal first.
            bool extends = c.StartsWith(needle, StringComparison.Ordinal);
            bool bestExtends = best is not null && Normalize(best).StartsWith(needle, StringComparison.Ordinal);
            if (score < bestScore || (score == bestScore && best is not null
                && (extends && !bestExtends || (extends == bestExtends && string.CompareOrdinal(candidate, best) < 0))))
            {
                bestScore = score;
                best = candidate;
            }
        }
        return bestScore == int.MaxValue ? null : best;
    }

    /// <summary>"; did you mean 'x'?" or "" when nothing is close.</summary>
    public static string DidYouMean(string input, IEnumerable<string> candidates) =>
        Closest(input, candidates) is string s ? $"; did you mean '{s}'?" : "";

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
    public static IComparer<string> NaturalOrder { get; } = Comparer<string>.Create(CompareNatural);

    private static int CompareNatural(string? x, string? y)
    {
        if (x is null || y is null) return string.CompareOrdinal(x, y);
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                int si = i, sj = j;
                while (i < x.Length && char.IsAsciiDigit(x[i])) i++;
                while (j < y.Length && char.IsAsciiDigit(y[j])) j++;
                string a = x[si..i].TrimStart('0'), b = y[sj..j].TrimStart('0');
                int c = a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
                if (c != 0) return c;
            }
            else
            {
                int c = x[i].CompareTo(y[j]);
                if (c != 0) return c;
                i++;
                j++;
            }
        }
        int rest = (x.Length - i).CompareTo(y.Length - j);
        return rest != 0 ? rest : string.CompareOrdinal(x, y);
    }

    private static string Normalize(string s) => s.Trim().TrimStart('-').ToLowerInvariant();

    private static int Distance(string a, string b)
    {
        // Optimal string alignment distance (Levenshtein plus adjacent transpositions: "modle" -> "model" is 1).
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
