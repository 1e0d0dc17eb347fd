using System.Text.Json;

namespace ModelZoo.Tests.Build;

/// <summary>
/// Versions identify the build (docs/versioning.md): MinVer reads git, so a tag vX.Y.Z gives X.Y.Z and every other
/// commit a prerelease that grows with each commit; a shallow clone without a tag names its commit instead of a count
/// it cannot know; a source tree without git still builds, as 0.2.0-dev. Checked on a scratch repository holding the
/// repository's own build files and the ModelZoo library project, with commits and tags made by the test.
/// </summary>
[Category("Package")]
[NonParallelizable]
public class GitVersionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private string _work = "";

    private sealed record Evaluated(string PackageVersion, string Version, string InformationalVersion, string FileVersion, string Output);

    [OneTimeSetUp]
    public void MakeWorkFolder() => _work = Path.Combine(Path.GetTempPath(), $"modelzoo-gitversion-{Guid.NewGuid():N}");

    /// <summary>A scratch repository with the build files and one commit, "root".</summary>
    private string NewRepository(string name)
    {
        string repo = Path.Combine(_work, name);
        CopyBuildFiles(TestPaths.RepoRoot, repo);
        Git(repo, "init", "-q", "-b", "main");
        Git(repo, "add", "-A");
        Git(repo, "commit", "-q", "-m", "root");
        return repo;
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        try { if (Directory.Exists(_work)) Directory.Delete(_work, true); }
        catch (IOException) { /* best effort */ }
    }

    /// <summary>The files that decide a project's version: the Directory.* files, global.json and src/ModelZoo.</summary>
    private static void CopyBuildFiles(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json" })
            File.Copy(Path.Combine(from, f), Path.Combine(to, f));
        string src = Path.Combine(from, "src", "ModelZoo");
        foreach (var file in Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(src, file);
            if (rel.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || rel.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue;
            string dest = Path.Combine(to, "src", "ModelZoo", rel);
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }
    }

    private static string Git(string dir, params string[] args)
    {
        var all = new List<string> { "-c", "user.name=ModelZoo Tests", "-c", "user.email=tests@modelzoo.invalid", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false" };
        all.AddRange(args);
        var r = ProcessRunner.Run("git", all, dir, TimeSpan.FromMinutes(1));
        Assert.That(r.ExitCode, Is.EqualTo(0), $"git {string.Join(' ', args)}:\n{r.All}");
        return r.StdOut.Trim();
    }

    /// <summary>The version properties MSBuild computes for src/ModelZoo in <paramref name="root"/>, as a build would.</summary>
    private static Evaluated Evaluate(string root)
    {
        var r = ProcessRunner.Dotnet(new[]
        {
            "msbuild", "src/ModelZoo/ModelZoo.csproj", "-restore", "-nodeReuse:false", "-p:Configuration=Release",
            "-t:MinVer;AddSourceRevisionToInformationalVersion",
            "-getProperty:PackageVersion", "-getProperty:Version", "-getProperty:InformationalVersion", "-getProperty:FileVersion",
        }, root, Timeout);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
        int start = r.StdOut.IndexOf('{', StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), r.All);
        using var json = JsonDocument.Parse(r.StdOut[start..]);
        var p = json.RootElement.GetProperty("Properties");
        string Get(string name) => p.GetProperty(name).GetString()!;
        return new Evaluated(Get("PackageVersion"), Get("Version"), Get("InformationalVersion"), Get("FileVersion"), r.All);
    }

    [Test]
    public void TagsGiveReleasesAndEveryOtherCommitAGrowingPrerelease()
    {
        string repo = NewRepository("tags");
        var root = Evaluate(repo);
        Assert.That(root.PackageVersion, Is.EqualTo("0.2.0-dev"), "the first commit, no tag yet");
        string head = Git(repo, "rev-parse", "HEAD");
        Assert.That(root.InformationalVersion, Is.EqualTo("0.2.0-dev+" + head), "the assemblies carry the commit");

        Git(repo, "commit", "-q", "--allow-empty", "-m", "two");
        Git(repo, "commit", "-q", "--allow-empty", "-m", "three");
        var third = Evaluate(repo);
        Assert.That(third.PackageVersion, Is.EqualTo("0.2.0-dev.2"), "grows with every commit");
        Assert.That(third.Version, Is.EqualTo(third.PackageVersion), "one number for the package and the assembly");
        Assert.That(third.InformationalVersion, Is.EqualTo("0.2.0-dev.2+" + Git(repo, "rev-parse", "HEAD")));

        Git(repo, "tag", "-a", "v1.4.0", "-m", "release 1.4.0");
        var release = Evaluate(repo);
        Assert.That(release.PackageVersion, Is.EqualTo("1.4.0"), "a tag on the commit is the release version");
        Assert.That(release.FileVersion, Is.EqualTo("1.4.0.0"));

        Git(repo, "commit", "-q", "--allow-empty", "-m", "after the release");
        var after = Evaluate(repo);
        Assert.That(after.PackageVersion, Is.EqualTo("1.4.1-dev.1"), "after a release: the next patch, prerelease, commit count since the tag");
    }

    [Test]
    public void AShallowCloneWithoutATagNamesItsCommitAndATreeWithoutGitStillBuilds()
    {
        string repo = NewRepository("full");
        Git(repo, "commit", "-q", "--allow-empty", "-m", "one more");
        Git(repo, "commit", "-q", "--allow-empty", "-m", "and another");
        string shallow = Path.Combine(_work, "shallow");
        Git(_work, "clone", "-q", "--depth", "1", "file://" + repo, shallow);
        Assert.That(Git(shallow, "rev-parse", "--is-shallow-repository"), Is.EqualTo("true"));
        string head = Git(shallow, "rev-parse", "HEAD");
        var v = Evaluate(shallow);
        Assert.That(v.PackageVersion, Is.EqualTo("0.2.0-dev.shallow.g" + head[..10]),
            "no count can be made: the prerelease names the commit, so two commits never share a version");
        Assert.That(v.InformationalVersion, Is.EqualTo(v.PackageVersion + "+" + head));
        var said = ProcessRunner.Dotnet(new[] { "msbuild", "src/ModelZoo/ModelZoo.csproj", "-nodeReuse:false", "-p:Configuration=Release", "-t:MinVer" }, shallow, Timeout);
        Assert.That(said.ExitCode, Is.EqualTo(0), said.All);
        Assert.That(said.StdOut, Does.Contain("shallow git clone with no version tag").And.Contain("git fetch --unshallow"), "the build says why");

        string tarball = Path.Combine(_work, "no-git");
        CopyBuildFiles(repo, tarball);
        var plain = Evaluate(tarball);
        Assert.That(plain.PackageVersion, Is.EqualTo("0.2.0-dev"), "a source tree without git: the minimum version, no count");
        Assert.That(plain.InformationalVersion, Is.EqualTo("0.2.0-dev"), "no commit to name");
        Assert.That(plain.Output, Does.Contain("MINVER1001"), "MinVer warns that there is no git");
    }
}
