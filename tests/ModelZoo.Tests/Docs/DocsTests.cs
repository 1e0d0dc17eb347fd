using System.Text;
using System.Text.RegularExpressions;

namespace ModelZoo.Tests.Docs;

/// <summary>
/// Checks README.md and docs/*.md: links resolve, the README's set-up block has exactly two commands and
/// .ci/run runs the second, and every fenced <c>dotnet</c>/<c>modelzoo</c> command names real things.
/// </summary>
public partial class DocsTests
{
    private static readonly string[] ShellLanguages = { "bash", "sh", "shell", "console" };

    private static readonly HashSet<string> DotnetVerbs = new(StringComparer.Ordinal)
    {
        "add", "build", "clean", "msbuild", "new", "nuget", "pack", "publish", "restore", "run", "test", "tool",
    };

    public static IEnumerable<string> MarkdownFiles()
    {
        yield return "README.md";
        foreach (var f in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "docs"), "*.md").OrderBy(f => f, StringComparer.Ordinal))
            yield return Path.GetRelativePath(TestPaths.RepoRoot, f).Replace('\\', '/');
    }

    private static string Read(string relative) => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, relative));

    /// <summary>A fenced code block: its info string and its lines.</summary>
    internal sealed record Fence(string Language, IReadOnlyList<string> Lines, int StartLine);

    internal static List<Fence> Fences(string markdown)
    {
        var fences = new List<Fence>();
        var lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var open = FenceRegex().Match(lines[i]);
            if (!open.Success) continue;
            string marker = open.Groups[1].Value;
            var body = new List<string>();
            int start = i + 1;
            for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith(marker, StringComparison.Ordinal); i++)
                body.Add(lines[i].TrimEnd('\r'));
            fences.Add(new Fence(open.Groups[2].Value.Trim().ToLowerInvariant(), body, start));
        }
        return fences;
    }

    /// <summary>The markdown with fenced blocks and inline code blanked out, so links inside code are ignored.</summary>
    private static string Prose(string markdown)
    {
        var sb = new StringBuilder();
        bool inFence = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (FenceRegex().IsMatch(line)) { inFence = !inFence; sb.AppendLine(); continue; }
            sb.AppendLine(inFence ? "" : InlineCodeRegex().Replace(line, ""));
        }
        return sb.ToString();
    }

    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in Prose(markdown).Split('\n'))
        {
            var m = HeadingRegex().Match(line);
            if (!m.Success) continue;
            string text = m.Groups[1].Value.Trim().ToLowerInvariant();
            var slug = new StringBuilder();
            foreach (char c in text)
                if (char.IsLetterOrDigit(c) || c == '-' || c == '_') slug.Append(c);
                else if (c == ' ') slug.Append('-');
            anchors.Add(slug.ToString());
        }
        // Headings inside fences don't count, but headings containing inline code do: re-read raw headings too.
        foreach (Match m in HeadingRegex().Matches(markdown))
        {
            string text = m.Groups[1].Value.Trim().ToLowerInvariant().Replace("`", "");
            var slug = new StringBuilder();
            foreach (char c in text)
                if (char.IsLetterOrDigit(c) || c == '-' || c == '_') slug.Append(c);
                else if (c == ' ') slug.Append('-');
            anchors.Add(slug.ToString());
        }
        return anchors;
    }

    [TestCaseSource(nameof(MarkdownFiles))]
    public void LinksResolve(string file)
    {
        string markdown = Read(file);
        string dir = Path.GetDirectoryName(Path.Combine(TestPaths.RepoRoot, file))!;
        var problems = new List<string>();
        foreach (Match m in LinkRegex().Matches(Prose(markdown)))
        {
            string target = m.Groups[1].Value;
            if (target.StartsWith("http://", StringComparison.Ordinal) || target.StartsWith("https://", StringComparison.Ordinal)
                || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
            string path = target, anchor = "";
            int hash = target.IndexOf('#');
            if (hash >= 0) { path = target[..hash]; anchor = target[(hash + 1)..]; }
            string full = path.Length == 0 ? Path.Combine(TestPaths.RepoRoot, file) : Path.GetFullPath(Path.Combine(dir, path));
            if (!File.Exists(full) && !Directory.Exists(full)) { problems.Add($"{target}: {full} does not exist"); continue; }
            if (anchor.Length > 0 && full.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(full)).Contains(anchor))
                problems.Add($"{target}: no heading #{anchor} in {Path.GetFileName(full)}");
        }
        Assert.That(problems, Is.Empty, $"broken links in {file}");
    }

    /// <summary>The command lines of the README's "Set up" section.</summary>
    internal static List<string> ReadmeSetUpCommands()
    {
        string readme = Read("README.md");
        var section = Regex.Match(readme, @"^## Set up\s*$(.*?)(?=^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.That(section.Success, Is.True, "README has a '## Set up' section");
        return Fences(section.Groups[1].Value)
            .SelectMany(f => f.Lines)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
    }

    [Test]
    public void ReadmeHasExactlyTwoSetUpCommands()
    {
        var commands = ReadmeSetUpCommands();
        Assert.That(commands, Has.Count.EqualTo(2), string.Join("\n", commands));
        Assert.That(commands[0], Does.Contain("train").And.Contain("--model deepcnn"), "the first command runs the main job");
        Assert.That(commands[1], Does.StartWith("dotnet test"), "the second command runs the tests");
    }

    [Test]
    public void CiRunCallsTheReadmeTestCommand()
    {
        string testCommand = ReadmeSetUpCommands()[1];
        var ciLines = Read(".ci/run").Split('\n').Select(l => l.Trim());
        Assert.That(ciLines.Any(l => l == testCommand || l.StartsWith(testCommand + " 2>&1", StringComparison.Ordinal) || l.StartsWith(testCommand + " |", StringComparison.Ordinal)),
            Is.True, $".ci/run must run exactly: {testCommand}");
    }

    /// <summary>Every <c>dotnet ...</c> and <c>modelzoo ...</c> line in a shell fence, with where it came from.</summary>
    public static IEnumerable<TestCaseData> ShellCommands()
    {
        foreach (var file in MarkdownFiles())
            foreach (var fence in Fences(Read(file)).Where(f => ShellLanguages.Contains(f.Language)))
                for (int i = 0; i < fence.Lines.Count; i++)
                {
                    string line = fence.Lines[i].Trim();
                    if (line.StartsWith("$ ", StringComparison.Ordinal)) line = line[2..];
                    if (line.StartsWith("dotnet ", StringComparison.Ordinal) || line.StartsWith("modelzoo", StringComparison.Ordinal))
                        yield return new TestCaseData(line).SetArgDisplayNames($"{file}:{fence.StartLine + i + 1}");
                }
    }

    internal static List<string> Tokens(string command)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        char quote = '\0';
        bool any = false;
        foreach (char c in command)
        {
            if (quote != '\0') { if (c == quote) quote = '\0'; else current.Append(c); continue; }
            if (c is '"' or '\'') { quote = c; any = true; continue; }
            if (char.IsWhiteSpace(c)) { if (any || current.Length > 0) tokens.Add(current.ToString()); current.Clear(); any = false; continue; }
            current.Append(c);
        }
        if (any || current.Length > 0) tokens.Add(current.ToString());
        return tokens;
    }

    [TestCaseSource(nameof(ShellCommands))]
    public void DotnetCommandsNameRealVerbsPathsAndBackends(string command)
    {
        var tokens = Tokens(command);
        if (tokens[0] != "dotnet") { Assert.Pass("modelzoo command: see ModelzooCommandsNameRealCommandsAndOptions"); return; }
        Assert.That(DotnetVerbs, Does.Contain(tokens[1]), $"unknown dotnet verb in: {command}");
        int dashDash = tokens.IndexOf("--");
        var own = dashDash < 0 ? tokens : tokens.Take(dashDash).ToList();
        for (int i = 2; i < own.Count; i++)
        {
            string t = own[i];
            if (t == "--project") Assert.That(Exists(own[++i]), Is.True, $"--project {own[i]} does not exist");
            else if (t.StartsWith("-p:TorchBackend=", StringComparison.Ordinal))
                Assert.That(t["-p:TorchBackend=".Length..], Is.AnyOf("cpu", "cuda"));
            else if (!t.StartsWith('-') && (t.EndsWith(".sln", StringComparison.Ordinal) || t.EndsWith("proj", StringComparison.Ordinal)
                     || t.StartsWith("src/", StringComparison.Ordinal) || t.StartsWith("tests/", StringComparison.Ordinal)))
                Assert.That(Exists(t), Is.True, $"{t} does not exist (in: {command})");
        }
    }

    private static bool Exists(string relative)
    {
        string full = Path.Combine(TestPaths.RepoRoot, relative);
        if (relative.StartsWith("tests/", StringComparison.Ordinal) && relative.Contains("/bin/", StringComparison.Ordinal)) return true; // build output
        return File.Exists(full) || Directory.Exists(full);
    }

    /// <summary>Command names and option names declared in src/ModelZoo.Cli (Spectre.Console.Cli attributes).</summary>
    internal static (HashSet<string> Commands, HashSet<string> Options) CliDefinitions()
    {
        var commands = new HashSet<string>(StringComparer.Ordinal);
        var options = new HashSet<string>(StringComparer.Ordinal) { "--help", "-h", "--version", "-v" };
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "src", "ModelZoo.Cli"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
            string code = File.ReadAllText(file);
            foreach (Match m in AddCommandRegex().Matches(code)) commands.Add(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value);
            foreach (Match m in CommandOptionRegex().Matches(code))
                foreach (var part in m.Groups[1].Value.Split('|', ' '))
                    if (part.StartsWith('-')) options.Add(part.Trim());
        }
        return (commands, options);
    }

    [TestCaseSource(nameof(ShellCommands))]
    public void ModelzooCommandsNameRealCommandsAndOptions(string command)
    {
        var tokens = Tokens(command);
        List<string> args;
        if (tokens[0] == "modelzoo") args = tokens.Skip(1).ToList();
        else if (tokens.IndexOf("--") is int dd and >= 0 && tokens.Contains("src/ModelZoo.Cli")) args = tokens.Skip(dd + 1).ToList();
        else { Assert.Pass("no modelzoo arguments"); return; }

        var (commands, options) = CliDefinitions();
        if (commands.Count == 0) Assert.Ignore("src/ModelZoo.Cli declares no commands yet (AddCommand<...>(\"name\")); nothing to check against");
        Assert.That(args, Is.Not.Empty, command);
        Assert.That(commands, Does.Contain(args[0]), $"'{args[0]}' is not a modelzoo command (known: {string.Join(", ", commands.Order())})");
        foreach (var t in args.Skip(1).Where(a => a.StartsWith('-')))
        {
            string name = t.Split('=')[0];
            Assert.That(options, Does.Contain(name), $"'{name}' is not a modelzoo option (in: {command})");
        }
    }

    [Test]
    public void FenceParserFindsCommands()
    {
        var fences = Fences("text\n```bash\ndotnet build x.sln\n# comment\nmodelzoo list --json\n```\n```csharp\nvar x = 1;\n```\n");
        Assert.That(fences.Select(f => f.Language), Is.EqualTo(new[] { "bash", "csharp" }));
        Assert.That(fences[0].Lines, Is.EqualTo(new[] { "dotnet build x.sln", "# comment", "modelzoo list --json" }));
        Assert.That(Tokens("dotnet test a.sln --logger \"console;verbosity=normal\""), Is.EqualTo(new[] { "dotnet", "test", "a.sln", "--logger", "console;verbosity=normal" }));
    }

    [GeneratedRegex(@"^\s*(`{3,}|~{3,})\s*([\w+-]*)")]
    private static partial Regex FenceRegex();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCodeRegex();

    [GeneratedRegex(@"^#{1,6}\s+(.+?)\s*#*\s*$", RegexOptions.Multiline)]
    private static partial Regex HeadingRegex();

    [GeneratedRegex(@"\]\(([^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex LinkRegex();

    // AddCommand<X>("name"), and AddBranch<X>("name", ...) for a branch such as "weights" (its subcommands are checked by CliReferenceTests).
    [GeneratedRegex(@"Add(?:Command<[\w.]+>\(\s*""([\w-]+)""\s*\)|Branch<[\w.]+>\(\s*""([\w-]+)""\s*,)")]
    private static partial Regex AddCommandRegex();

    [GeneratedRegex(@"CommandOption\(\s*""([^""]+)""")]
    private static partial Regex CommandOptionRegex();
}
