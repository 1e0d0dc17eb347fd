using System.Text.RegularExpressions;

namespace ModelZoo.Tests.Docs;

/// <summary>
/// Issue 27, item 11: README.md's results table and docs/results.md's re-measured table are the output of
/// <c>bench/readme-results.sh</c>: the same text as its last recorded output (docs/readme-results.md), which its renderer
/// reproduces exactly from bench/readme-results/recorded.tsv, with one recorded result per command it runs.
/// </summary>
public class ReadmeResultsTests
{
    private static string Repo(params string[] parts) => Path.Combine([TestPaths.RepoRoot, .. parts]);

    private static string Block(string text, string name)
    {
        var m = Regex.Match(text, $"<!-- readme-results:{name} -->\n(.*?)\n<!-- /readme-results:{name} -->", RegexOptions.Singleline);
        Assert.That(m.Success, $"no readme-results:{name} block");
        return m.Groups[1].Value;
    }

    private static List<string[]> Tsv(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('\t')).ToList();

    [Test]
    public void TheReadmeAndResultsTablesAreTheScriptsLastOutput()
    {
        string output = File.ReadAllText(Repo("docs", "readme-results.md"));
        Assert.That(Block(File.ReadAllText(Repo("README.md")), "readme"), Is.EqualTo(Block(output, "readme")));
        Assert.That(Block(File.ReadAllText(Repo("docs", "results.md")), "all"), Is.EqualTo(Block(output, "all")));
    }

    [Test]
    public void EveryRowOfTheReadmeTableIsACommandTheScriptRunsWithItsRecordedResult()
    {
        var rows = Tsv(Repo("bench", "readme-results", "rows.tsv"));
        var recorded = Tsv(Repo("bench", "readme-results", "recorded.tsv")).ToDictionary(r => r[0]);
        Assert.That(rows.Select(r => r[0]), Is.Unique);
        Assert.That(rows.Select(r => r[0]).Where(id => !recorded.ContainsKey(id)), Is.Empty, "a recorded result for every row");
        var readmeRows = rows.Where(r => r[1] == "yes").ToList();
        var table = Block(File.ReadAllText(Repo("README.md")), "readme").Split('\n').Skip(2).ToList();
        Assert.That(table, Has.Count.EqualTo(readmeRows.Count));
        for (int i = 0; i < table.Count; i++)
        {
            var cells = table[i].Split(" | ");
            Assert.That(cells[^1].TrimEnd('|', ' '), Is.EqualTo($"`{readmeRows[i][6]}`"), "the command the script runs");
            Assert.That(cells[3], Does.StartWith(recorded[readmeRows[i][0]][1] + " %"), "its recorded final accuracy");
            Assert.That(readmeRows[i][6], Does.StartWith("modelzoo train "));
        }
    }

    [Test]
    public void TheRendererReproducesTheCommittedTablesFromTheRecordedResults()
    {
        // The script's render step on a copy of the files it reads and writes: nothing may change.
        string copy = Path.Combine(Path.GetTempPath(), "mz-readme-results-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (string file in new[] { "README.md", Path.Combine("docs", "results.md"), Path.Combine("docs", "readme-results.md"),
                         Path.Combine("bench", "readme-results", "rows.tsv"), Path.Combine("bench", "readme-results", "recorded.tsv"),
                         Path.Combine("bench", "readme-results", "readme_results.py") })
            {
                string target = Path.Combine(copy, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Repo(file), target);
            }
            var r = ProcessRunner.Run("python3", [Path.Combine(copy, "bench", "readme-results", "readme_results.py"), "render"], copy, TimeSpan.FromMinutes(1));
            Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
            foreach (string file in new[] { "README.md", Path.Combine("docs", "results.md"), Path.Combine("docs", "readme-results.md") })
                Assert.That(File.ReadAllText(Path.Combine(copy, file)), Is.EqualTo(File.ReadAllText(Repo(file))), file);
        }
        finally
        {
            if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
        }
    }
}
