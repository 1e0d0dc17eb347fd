using System.Text.Json;

namespace ModelZoo.Tests.Build;

/// <summary>
/// Every package's version comes from one place (VersionPrefix in Directory.Build.props) plus a suffix the CI
/// provides, so a consumer never silently gets a stale package of the same version. Checked by MSBuild evaluation only.
/// </summary>
[Parallelizable(ParallelScope.All)]
public class PackageVersionTests
{
    private static string[] Versions(string project, IDictionary<string, string?>? env, params string[] properties)
    {
        var args = new List<string> { "msbuild", project, "-getProperty:PackageVersion", "-getProperty:Version", "-nodeReuse:false" };
        args.AddRange(properties);
        var r = ProcessRunner.Dotnet(args, TestPaths.RepoRoot, TimeSpan.FromSeconds(90), env);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
        using var json = JsonDocument.Parse(r.StdOut);
        var p = json.RootElement.GetProperty("Properties");
        return [p.GetProperty("PackageVersion").GetString()!, p.GetProperty("Version").GetString()!];
    }

    [TestCase("src/ModelZoo/ModelZoo.csproj")]
    [TestCase("src/ModelZoo.Cli/ModelZoo.Cli.csproj")]
    public void TheCiSuffixReachesThePackageVersion(string project)
    {
        string prefix = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "Directory.Build.props")),
            "<VersionPrefix>([^<]+)</VersionPrefix>").Groups[1].Value;
        Assert.That(prefix, Does.Match(@"^\d+\.\d+\.\d+$"));
        var clean = new Dictionary<string, string?> { ["MODELZOO_VERSION_SUFFIX"] = "" };
        Assert.That(Versions(project, clean)[0], Is.EqualTo(prefix));
        var suffixed = Versions(project, clean, "-p:VersionSuffix=ci.7");
        Assert.That(suffixed[0], Is.EqualTo(prefix + "-ci.7"));
        Assert.That(suffixed[1], Is.EqualTo(prefix + "-ci.7"), "the assembly version (what --version prints) follows");
        var ci = new Dictionary<string, string?> { ["MODELZOO_VERSION_SUFFIX"] = "ci.42" };
        Assert.That(Versions(project, ci)[0], Is.EqualTo(prefix + "-ci.42"));
    }
}
