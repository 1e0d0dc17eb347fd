using System.Globalization;

namespace ModelZoo.Tests.Docs;

/// <summary>docs/models.md documents every registered model: a section heading names it and its card's parameter count appears.</summary>
public class ModelsDocTests
{
    private static string Doc => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "models.md"));

    public static IEnumerable<string> Names => Zoo.Names;

    [TestCaseSource(nameof(Names))]
    public void EveryZooModelHasASectionAndItsParameterCount(string name)
    {
        string doc = Doc;
        var headings = doc.Split('\n').Where(l => l.StartsWith("## ", StringComparison.Ordinal)).ToList();
        Assert.That(headings.Any(h => NamesIn(h).Contains(name) || (name.EndsWith("_bn", StringComparison.Ordinal) && h.Contains("`_bn` variants", StringComparison.Ordinal) && NamesIn(h).Contains(name[..^3]))),
            Is.True, $"docs/models.md has no section heading naming {name}");
        string parameters = Zoo.Card(name).Parameters.ToString("N0", CultureInfo.InvariantCulture);
        Assert.That(doc, Does.Contain(parameters), $"docs/models.md does not state {name}'s {parameters} parameters");
    }

    private static HashSet<string> NamesIn(string heading) =>
        heading.Split([' ', ',', '(', ')', '`'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
}
