using System.Reflection;
using ModelZoo.Cli;
using ModelZoo.Cli.Commands;
using Spectre.Console.Cli;

namespace ModelZoo.Tests.Docs;

/// <summary>docs/cli.md documents every command and every option of the real command definitions, so it cannot drift.</summary>
public class CliReferenceTests
{
    private static readonly (string Command, Type Settings)[] Commands =
    [
        ("train", typeof(TrainSettings)),
        ("evaluate", typeof(EvaluateSettings)),
        ("predict", typeof(PredictSettings)),
        ("embed", typeof(EmbedSettings)),
        ("import-weights", typeof(ImportWeightsSettings)),
        ("export", typeof(ExportSettings)),
        ("quantize", typeof(QuantizeSettings)),
        ("inspect", typeof(InspectSettings)),
        ("list", typeof(ListSettings)),
        ("experiment", typeof(ExperimentSettings)),
        ("report", typeof(ReportSettings)),
        ("lr-find", typeof(LrFindSettings)),
        ("weights list", typeof(WeightsListSettings)),
        ("weights download", typeof(WeightsDownloadSettings)),
    ];

    private static string Section(string command)
    {
        string doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "cli.md"));
        int start = doc.IndexOf("\n## " + command + "\n", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"docs/cli.md has no '## {command}' section");
        int end = doc.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        return end < 0 ? doc[start..] : doc[start..end];
    }

    [TestCaseSource(nameof(Commands))]
    public void EveryOptionIsDocumentedInItsSection((string Command, Type Settings) c)
    {
        string section = Section(c.Command);
        foreach (var property in c.Settings.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var option = property.GetCustomAttribute<CommandOptionAttribute>();
            if (option is null) continue;
            foreach (var name in option.LongNames)
                Assert.That(section, Does.Contain("--" + name), $"docs/cli.md '## {c.Command}' does not document --{name}");
        }
    }

    [Test]
    public async Task EveryRegisteredCommandHasASection()
    {
        var (code, output, _) = await ModelZoo.Tests.Cli.CliHarness.Run("--help");
        Assert.That(code, Is.EqualTo(ExitCodes.Success));
        foreach (var (command, _) in Commands)
        {
            Assert.That(output, Does.Contain(command.Split(' ')[0]), "--help does not list " + command); // a branch ("weights list") shows as its first word
            Section(command);
        }
        // No command registered that the table above (and so the docs check) misses.
        var listed = output.Split('\n').SkipWhile(l => !l.TrimStart().StartsWith("COMMANDS", StringComparison.Ordinal)).Skip(1)
            .Select(l => l.Trim().Split(' ', 2)[0]).Where(w => w.Length > 0).ToList();
        Assert.That(listed, Is.SubsetOf(Commands.Select(c => c.Command.Split(' ')[0]).Append("help")));
    }
}
