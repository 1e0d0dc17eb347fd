namespace ModelZoo.Cli;

/// <summary>"Did you mean" for the CLI's mistyped names: the library's rule (<see cref="Spelling"/>).</summary>
public static class Suggestions
{
    /// <summary>The candidate closest to <paramref name="input"/> when it is plausibly a typo of it (<see cref="Spelling.Closest"/>).</summary>
    public static string? Closest(string input, IEnumerable<string> candidates) => Spelling.Closest(input, candidates);

    /// <summary>"; did you mean 'x'?" or "" when nothing is close.</summary>
    public static string DidYouMean(string input, IEnumerable<string> candidates) => Spelling.DidYouMean(input, candidates);

    /// <summary>Natural order: digit runs compare as numbers, so resnet18 comes before resnet101.</summary>
    public static IComparer<string> NaturalOrder => Spelling.NaturalOrder;
}
