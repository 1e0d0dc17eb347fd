using System.Text.RegularExpressions;

namespace ModelZoo.Tests.Docs;

/// <summary>docs/architecture.md is the map of the code: it names every project and source folder, and every path it names exists.</summary>
public partial class ArchitectureDocTests
{
    private static string Doc => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "architecture.md"));

    private static IEnumerable<string> Projects() =>
        Directory.GetDirectories(Path.Combine(TestPaths.RepoRoot, "src")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);

    [Test]
    public void EveryProjectIsInTheProjectsTable()
    {
        string doc = Doc;
        foreach (var project in Projects())
            Assert.That(doc, Does.Contain($"| `src/{project}` ("), $"src/{project} has no row in the projects table of docs/architecture.md");
    }

    [Test]
    public void EverySourceFolderIsOnTheMap()
    {
        string doc = Doc;
        var missing = new List<string>();
        foreach (var project in Projects())
        {
            foreach (var folder in Directory.GetDirectories(Path.Combine(TestPaths.RepoRoot, "src", project)).Select(Path.GetFileName).OfType<string>())
            {
                if (folder is "bin" or "obj") continue;
                if (!Regex.IsMatch(doc, $"`(src/{Regex.Escape(project)}/)?{Regex.Escape(folder)}/`"))
                    missing.Add($"src/{project}/{folder}/");
            }
        }
        Assert.That(missing, Is.Empty, "folders docs/architecture.md does not mention (as `src/Project/Folder/` or `Folder/`)");
    }

    [Test]
    public void EveryPathItNamesExists()
    {
        // The "What moved where" table names old places on purpose; everything else must exist.
        string doc = Regex.Replace(Doc, @"## What moved where.*?(?=\n## )", "", RegexOptions.Singleline);
        var missing = CodePath().Matches(doc).Select(m => m.Groups[1].Value)
            .Where(p => !File.Exists(Path.Combine(TestPaths.RepoRoot, p)) && !Directory.Exists(Path.Combine(TestPaths.RepoRoot, p)))
            .Distinct().ToList();
        Assert.That(missing, Is.Empty, "paths in docs/architecture.md that do not exist");
    }

    [GeneratedRegex("`((?:src|tests|bench|docs)/[^`*<> ]+?)/?`")]
    private static partial Regex CodePath();
}
