using System.IO.Compression;
using System.Xml.Linq;
using ModelZoo.Native;

namespace ModelZoo.Tests.Packaging;

/// <summary>
/// Packs ModelZoo, ModelZoo.Data and the ModelZoo.Cli tool into a temporary folder feed, then uses them the
/// way a user would: a fresh console project that references ModelZoo + TorchSharp-cpu and trains, and the
/// tool installed into a temporary tool path. The machine's NuGet cache is only read: the consumer restores
/// into its own packages folder with the machine cache as a read-only fallback folder.
/// </summary>
[Category("Package")]
[NonParallelizable]
public class PackageTests
{
    // The one version source: git, through MinVer (docs/versioning.md). What MSBuild computes for this clone now.
    private static string Version = "";
    private static string? Head;
    private static readonly string[] Libraries = { "src/ModelZoo/ModelZoo.csproj", "src/ModelZoo.Data/ModelZoo.Data.csproj", "src/ModelZoo.Training/ModelZoo.Training.csproj", "src/ModelZoo.Onnx/ModelZoo.Onnx.csproj", "src/ModelZoo.Cli/ModelZoo.Cli.csproj" };
    private string _work = "";
    private string _feed = "";

    private static string MachineCache =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } env
            ? env
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static bool HostLacksGlibcxx3432()
    {
        if (!OperatingSystem.IsLinux()) return false;
        string? host = ElfVersionPatcher.FindHostLibStdCxx();
        return host is not null && !ElfVersionPatcher.GlibcxxVersionsOf(host).Contains("GLIBCXX_3.4.32");
    }

    [OneTimeSetUp]
    public void Pack()
    {
        var v = ProcessRunner.Dotnet(new[] { "msbuild", "src/ModelZoo/ModelZoo.csproj", "-nodeReuse:false", "-p:Configuration=Release", "-t:MinVer", "-getProperty:PackageVersion" },
            TestPaths.RepoRoot, TimeSpan.FromMinutes(6));
        Assert.That(v.ExitCode, Is.EqualTo(0), v.All);
        Version = v.StdOut.Trim();
        var git = ProcessRunner.Run("git", new[] { "rev-parse", "HEAD" }, TestPaths.RepoRoot, TimeSpan.FromMinutes(1));
        Head = git.ExitCode == 0 ? git.StdOut.Trim() : null;
        _work = Path.Combine(Path.GetTempPath(), $"modelzoo-pkgtest-{Guid.NewGuid():N}");
        // The feed sits where docs/getting-started.md has `dotnet pack -o artifacts` put it: in "the clone"'s artifacts/.
        _feed = Path.Combine(_work, "clone", "artifacts");
        Directory.CreateDirectory(_feed);
        foreach (var project in Libraries)
        {
            var r = ProcessRunner.Dotnet(new[] { "pack", project, "-c", "Release", "-o", _feed, "-nodeReuse:false" }, TestPaths.RepoRoot, TimeSpan.FromMinutes(10));
            Assert.That(r.ExitCode, Is.EqualTo(0), $"dotnet pack {project} failed:\n{r.All}");
        }
    }

    [OneTimeTearDown]
    public void CleanUp()
    {
        try { if (Directory.Exists(_work)) Directory.Delete(_work, true); }
        catch (IOException) { /* best effort */ }
    }

    private string Nupkg(string id) => Path.Combine(_feed, $"{id}.{Version}.nupkg");

    private static XElement Nuspec(ZipArchive zip)
    {
        var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/'));
        using var s = entry.Open();
        return XDocument.Load(s).Root!;
    }

    private static string? Meta(XElement nuspec, string name) =>
        nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    [TestCase("ModelZoo", "buildTransitive/ModelZoo.targets")]
    [TestCase("ModelZoo.Data", "buildTransitive/ModelZoo.Data.targets")]
    public void LibraryPackageHasMetadataDocsAndTheNativeFix(string id, string targets)
    {
        using var zip = ZipFile.OpenRead(Nupkg(id));
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.That(names, Does.Contain($"lib/net10.0/{id}.dll"));
        Assert.That(names, Does.Contain($"lib/net10.0/{id}.xml"), "XML docs");
        Assert.That(names, Does.Contain(targets));
        Assert.That(names, Does.Contain("buildTransitive/ModelZoo.NativeFix.cs"));
        Assert.That(names, Does.Contain("README.md"));
        Assert.That(names.Any(n => n.EndsWith(".so", StringComparison.Ordinal)), Is.False, "libraries ship no natives");

        var nuspec = Nuspec(zip);
        Assert.That(Meta(nuspec, "id"), Is.EqualTo(id));
        Assert.That(Meta(nuspec, "description"), Is.Not.Empty);
        Assert.That(nuspec.Descendants().Single(e => e.Name.LocalName == "license").Attribute("type")?.Value, Is.EqualTo("expression"));
        Assert.That(Meta(nuspec, "license"), Is.EqualTo("MIT"));
        Assert.That(Meta(nuspec, "readme"), Is.EqualTo("README.md"));
        Assert.That(Meta(nuspec, "tags"), Does.Contain("torchsharp"));
        Assert.That(nuspec.Descendants().Any(e => e.Name.LocalName == "repository" && e.Attribute("url") is not null), Is.True);
        var deps = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToList();
        Assert.That(deps, Does.Contain("TorchSharp"));
        Assert.That(deps.Where(d => d.StartsWith("TorchSharp-", StringComparison.Ordinal) || d.StartsWith("libtorch", StringComparison.Ordinal)), Is.Empty,
            "libraries reference only the managed TorchSharp package");
    }

    [TestCase("ModelZoo", new[] { "TorchSharp" })]
    [TestCase("ModelZoo.Data", new[] { "TorchSharp", "SixLabors.ImageSharp" })]
    [TestCase("ModelZoo.Training", new[] { "TorchSharp", "ModelZoo", "ModelZoo.Data" })]
    [TestCase("ModelZoo.Onnx", new[] { "TorchSharp", "ModelZoo", "OnnxSharp", "Google.Protobuf", "Microsoft.ML.OnnxRuntime.Managed" })]
    public void PackagesFollowTheDependencyLine(string id, string[] expected)
    {
        // A consumer of ModelZoo alone gets no image decoder and no plotting library; plotting lives in the CLI.
        using var zip = ZipFile.OpenRead(Nupkg(id));
        var deps = Nuspec(zip).Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).Distinct().ToList();
        Assert.That(deps, Is.EquivalentTo(expected), $"{id} dependencies");
        if (id == "ModelZoo.Training")
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.That(names, Does.Contain("lib/net10.0/ModelZoo.Training.dll"));
            Assert.That(names, Does.Contain("lib/net10.0/ModelZoo.Training.xml"), "XML docs");
        }
    }

    [Test]
    public void EveryPackageCarriesTheVersionAndCommitFromGit()
    {
        // A clone of main: 0.2.0-dev.N between tags (N grows with every commit), X.Y.Z on a tag vX.Y.Z.
        Assert.That(Version, Does.Match(@"^\d+\.\d+\.\d+(-dev\.(\d+|shallow\.g[0-9a-f]{10}))?$"));
        if (Head is null) Assert.Ignore("not a git clone");
        foreach (var id in new[] { "ModelZoo", "ModelZoo.Data", "ModelZoo.Training", "ModelZoo.Onnx", "ModelZoo.Cli" })
        {
            Assert.That(File.Exists(Nupkg(id)), Is.True, $"{id}.{Version}.nupkg: every package has the one version");
            using var zip = ZipFile.OpenRead(Nupkg(id));
            var nuspec = Nuspec(zip);
            Assert.That(Meta(nuspec, "version"), Is.EqualTo(Version), id);
            var repository = nuspec.Descendants().Single(e => e.Name.LocalName == "repository");
            Assert.That(repository.Attribute("commit")?.Value, Is.EqualTo(Head), $"{id}: the nuspec names the commit it was packed from");
            var modelZooDeps = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency" && e.Attribute("id")!.Value.StartsWith("ModelZoo", StringComparison.Ordinal));
            foreach (var d in modelZooDeps)
                Assert.That(d.Attribute("version")?.Value, Is.EqualTo(Version), $"{id} depends on {d.Attribute("id")!.Value} of the same build");
        }
    }

    [Test]
    public void RepackingGivesIdenticalPackageContents()
    {
        // Deterministic compilation: a second pack has byte-identical files inside (zip entry times may differ).
        string again = Path.Combine(_work, "feed-again");
        var r = ProcessRunner.Dotnet(new[] { "pack", Libraries[0], "-c", "Release", "-o", again, "-nodeReuse:false" }, TestPaths.RepoRoot, TimeSpan.FromMinutes(6));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
        using var first = ZipFile.OpenRead(Nupkg("ModelZoo"));
        using var second = ZipFile.OpenRead(Path.Combine(again, $"ModelZoo.{Version}.nupkg"));
        static Dictionary<string, string> Hashes(ZipArchive zip) => zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var s = e.Open();
            return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(s));
        });
        Assert.That(Hashes(second), Is.EqualTo(Hashes(first)));
    }

    [Test]
    public void ToolPackageIsADotnetToolWithPatchedNatives()
    {
        using var zip = ZipFile.OpenRead(Nupkg("ModelZoo.Cli"));
        var nuspec = Nuspec(zip);
        Assert.That(nuspec.Descendants().Any(e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetTool"), Is.True);
        var settings = zip.Entries.Single(e => e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
        using (var s = settings.Open())
        {
            var command = XDocument.Load(s).Descendants().Single(e => e.Name.LocalName == "Command");
            Assert.That(command.Attribute("Name")?.Value, Is.EqualTo("modelzoo"));
        }
        // Natives only for the platforms with libtorch (linux-x64, win-x64, osx-arm64; SkiaSharp's universal osx).
        var rids = zip.Entries.Select(e => e.FullName.Split('/')).Where(p => p.Length > 4 && p[3] == "runtimes").Select(p => p[4]).ToHashSet();
        Assert.That(rids, Is.SubsetOf(new[] { "linux-x64", "win-x64", "osx-arm64", "osx" }), "natives for platforms the tool cannot run on");
        Assert.That(rids, Does.Contain("linux-x64").And.Contain("win-x64").And.Contain("osx-arm64"));
        Assert.That(zip.Entries.Where(e => e.Name.StartsWith("libtorch_python", StringComparison.Ordinal) || e.Name.Contains("_test.", StringComparison.Ordinal)).Select(e => e.FullName),
            Is.Empty, "libtorch's Python binding and test libraries are not shipped");
        var native = zip.Entries.Single(e => e.FullName.EndsWith("runtimes/linux-x64/native/libLibTorchSharp.so", StringComparison.Ordinal));
        using var ms = new MemoryStream();
        using (var s = native.Open()) s.CopyTo(ms);
        var need = ElfVersionPatcher.ReadVersionNeeds(ms.ToArray()).Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.That(need.IsWeak, Is.True, "the tool ships a patched copy: tool install runs no MSBuild");
    }

    [Test]
    public void ConsoleAppUsingThePackagesTrainsDeepCnnAndResNet18()
    {
        string app = Path.Combine(_work, "consumer");
        string packages = Path.Combine(_work, "consumer-packages");
        Directory.CreateDirectory(app);
        var timeout = TimeSpan.FromMinutes(6);
        // NUGET_PACKAGES would override the config's globalPackagesFolder.
        var env = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = null };

        var r = ProcessRunner.Dotnet(new[] { "new", "console", "--framework", "net10.0", "--name", "Consumer", "--output", app }, _work, timeout, env);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{packages}" />
              </config>
              <fallbackPackageFolders>
                <clear />
                <add key="machine-cache" value="{MachineCache}" />
              </fallbackPackageFolders>
              <packageSources>
                <clear />
                <add key="modelzoo-local" value="{_feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), ConsumerProgram);

        foreach (var (id, version) in new[] { ("ModelZoo", Version), ("TorchSharp-cpu", "0.107.0") })
        {
            r = ProcessRunner.Dotnet(new[] { "add", "package", id, "--version", version, "--no-restore" }, app, timeout, env);
            Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
        }

        r = ProcessRunner.Dotnet(new[] { "build", "-c", "Release", "-nodeReuse:false" }, app, timeout, env);
        Assert.That(r.ExitCode, Is.EqualTo(0), $"consumer build failed:\n{r.All}");
        Assert.That(Directory.Exists(Path.Combine(packages, "modelzoo", Version)), Is.True,
            $"ModelZoo {Version} did not come from the fresh feed (a stale copy in {MachineCache}?)");

        string bin = Path.Combine(app, "bin", "Release", "net10.0");
        if (OperatingSystem.IsLinux())
        {
            string output = Path.Combine(bin, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            Assert.That(NativeEnvironment.NeedIsWeak(output), Is.EqualTo(HostLacksGlibcxx3432()), "buildTransitive patch of the output copy");
            if (RealLibraryCache() is { } cache)
                Assert.That(NativeEnvironment.NeedIsWeak(cache), Is.False, "the NuGet cache copy must stay as shipped");
        }

        if (OperatingSystem.IsLinux())
        {
            // Publish gets the same treatment as build.
            string publish = Path.Combine(_work, "consumer-publish");
            r = ProcessRunner.Dotnet(new[] { "publish", "-c", "Release", "--no-build", "-o", publish, "-nodeReuse:false" }, app, timeout, env);
            Assert.That(r.ExitCode, Is.EqualTo(0), $"consumer publish failed:\n{r.All}");
            string published = Path.Combine(publish, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            Assert.That(NativeEnvironment.NeedIsWeak(published), Is.EqualTo(HostLacksGlibcxx3432()), "publish patch of the published copy");
        }

        r = ProcessRunner.Dotnet(new[] { Path.Combine(bin, "Consumer.dll") }, app, timeout);
        Assert.That(r.ExitCode, Is.EqualTo(0), $"consumer run failed:\n{r.All}");
        Assert.That(r.StdOut, Does.Contain("deepcnn step ok").And.Contain("resnet18 step ok").And.Contain("CONSUMER OK"));
    }

    [Test]
    public void TheDocumentedLibraryPathWorksAsWritten()
    {
        // docs/getting-started.md "As a library": its shell commands run as written in a new folder, with MODELZOO set
        // to the folder whose artifacts/ holds the packages just packed; then its first program, built and run.
        string guide = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "getting-started.md"));
        var fences = Docs.DocsTests.Fences(guide[guide.IndexOf("### As a library", StringComparison.Ordinal)..]);
        var commands = fences.First(f => f.Language == "bash").Lines.ToList();
        Assert.That(commands[0], Does.StartWith("MODELZOO="), "the one line a reader adapts");
        Assert.That(commands, Has.Some.Contains("dotnet new nugetconfig").And.Some.Contains("dotnet nuget add source"));
        commands[0] = $"MODELZOO='{Path.GetDirectoryName(_feed)}'";
        string home = Path.Combine(_work, "docs-path");
        Directory.CreateDirectory(home);
        var timeout = TimeSpan.FromMinutes(5);
        // A packages folder of its own (nothing stale, nothing left in the machine cache), reading the machine cache
        // as a fallback so TorchSharp and libtorch are not downloaded again; nuget.org is asked only what is not there.
        string packages = Path.Combine(_work, "docs-packages");
        var env = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packages, ["NUGET_FALLBACK_PACKAGES"] = MachineCache };
        var r = ProcessRunner.Run("bash", new[] { "-euo", "pipefail", "-c", string.Join("\n", commands) }, home, timeout, env);
        Assert.That(r.ExitCode, Is.EqualTo(0), $"the documented commands failed:\n{string.Join("\n", commands)}\n{r.All}");
        string app = Path.Combine(home, "MyApp");
        Assert.That(File.ReadAllText(Path.Combine(app, "MyApp.csproj")), Does.Contain($"Include=\"ModelZoo\" Version=\"{Version}\""),
            "the newest ModelZoo in artifacts/ is the one just packed");

        string sample = string.Join("\n", fences.First(f => f.Language == "csharp").Lines) + "\n";
        File.WriteAllText(Path.Combine(app, "Program.cs"), sample);
        r = ProcessRunner.Dotnet(new[] { "run", "-c", "Release" }, app, timeout, env);
        Assert.That(r.ExitCode, Is.EqualTo(0), $"docs/getting-started.md sample failed:\n{r.All}");
        Assert.That(r.StdOut.Trim().Split('\n')[^1].Trim(), Is.EqualTo("2x10"), "the sample's comment promises 2x10");
        Assert.That(Directory.Exists(Path.Combine(packages, "modelzoo", Version)), Is.True, "ModelZoo came from the fresh feed");
        if (OperatingSystem.IsLinux()) MeasureForDocs(app);
    }

    /// <summary>Prints the sizes docs/getting-started.md states (the test log keeps them; never asserted).</summary>
    private void MeasureForDocs(string app)
    {
        static long Bytes(string dir) => Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
        TestContext.Out.WriteLine($"size: ModelZoo.Cli nupkg {new FileInfo(Nupkg("ModelZoo.Cli")).Length / 1e6:F1} MB, ModelZoo nupkg {new FileInfo(Nupkg("ModelZoo")).Length / 1e6:F2} MB");
        string bin = Path.Combine(app, "bin", "Release", "net10.0");
        TestContext.Out.WriteLine($"size: console app bin {Bytes(bin) / 1e6:F0} MB, runtimes/linux-x64 {Bytes(Path.Combine(bin, "runtimes", "linux-x64")) / 1e6:F0} MB");
    }

    private static string? RealLibraryCache() => Native.RealLibraryTests.CacheCopy();

    [Test]
    public void ToolInstallsAndRuns()
    {
        string tools = Path.Combine(_work, "tools");
        string runDir = Path.Combine(_work, "tool-runs");
        Directory.CreateDirectory(runDir);
        var timeout = TimeSpan.FromMinutes(6);
        // The tool package is restored into a throw-away packages folder, so nothing of it lands in the machine cache.
        var env = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(_work, "tool-packages") };

        var r = ProcessRunner.Dotnet(new[] { "tool", "install", "ModelZoo.Cli", "--tool-path", tools, "--add-source", _feed, "--version", Version }, _work, timeout, env);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
        string exe = Path.Combine(tools, OperatingSystem.IsWindows() ? "modelzoo.exe" : "modelzoo");
        Assert.That(File.Exists(exe), Is.True);

        r = ProcessRunner.Run(exe, new[] { "--version" }, runDir, timeout);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
        Assert.That(r.StdOut.Trim(), Does.StartWith($"modelzoo {Version} (commit {Head ?? "unknown (built outside a git clone)"}, TorchSharp 0.107."),
            "the installed tool says which build it is");

        r = ProcessRunner.Run(exe, new[] { "list", "--json" }, runDir, timeout);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
        Assert.DoesNotThrow(() => System.Text.Json.JsonDocument.Parse(r.StdOut).Dispose(), "list --json prints JSON:\n" + r.StdOut);
        Assert.That(r.StdOut, Does.Contain("deepcnn").And.Contain("resnet18"));

        r = ProcessRunner.Run(exe, new[] { "train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "1", "--max-steps", "20" }, runDir, timeout);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
    }

    private const string ConsumerProgram = """
        using ModelZoo;
        using TorchSharp;
        using static TorchSharp.torch;

        if (!TorchRuntime.TryInitialize(out var diagnosis))
        {
            Console.Error.WriteLine(diagnosis);
            return 2;
        }
        torch.manual_seed(1);
        foreach (var name in new[] { "deepcnn", "resnet18" })
        {
            using var scope = torch.NewDisposeScope();
            var card = Zoo.Card(name);
            var model = Zoo.Create(name);
            model.train();
            var optimizer = torch.optim.SGD(model.parameters(), 0.01);
            var x = torch.randn(2, card.DefaultInput.Channels, card.DefaultInput.Height, card.DefaultInput.Width);
            var y = torch.tensor(new long[] { 1, 7 });
            var logits = model.forward(x);
            if (logits.shape[0] != 2 || logits.shape[1] != card.DefaultClasses)
                throw new Exception($"{name}: output shape [{string.Join(", ", logits.shape)}], expected [2, {card.DefaultClasses}]");
            if (((IZooModel)model).NumClasses != card.DefaultClasses) throw new Exception($"{name}: NumClasses is not the card's");
            var loss = torch.nn.functional.cross_entropy(logits, y);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            float value = loss.item<float>();
            if (!float.IsFinite(value)) throw new Exception($"{name}: loss is not finite");
            Console.WriteLine($"{name} step ok on {card.DefaultInput.Channels}x{card.DefaultInput.Height}x{card.DefaultInput.Width}, {card.DefaultClasses} classes: loss {value:F4}");
        }
        Console.WriteLine("CONSUMER OK");
        return 0;
        """;
}
