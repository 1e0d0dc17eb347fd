namespace ModelZoo;

/// <summary>
/// "Did you mean" for mistyped names (models, options, commands, presets, run-spec fields): the library's messages and
/// the CLI's use the same rule.
/// </summary>
public static class Spelling
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
