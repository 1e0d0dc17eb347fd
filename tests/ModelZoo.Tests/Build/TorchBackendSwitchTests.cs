using System.Text.Json;

namespace ModelZoo.Tests.Build;

/// <summary>
/// The CLI's -p:TorchBackend switch, checked by MSBuild evaluation only (no restore): the CUDA packages are
/// not served here, so what is tested is which package ids the project asks for.
/// </summary>
[Parallelizable(ParallelScope.All)]
public class TorchBackendSwitchTests
{
    private static readonly string CliProject = Path.Combine("src", "ModelZoo.Cli", "ModelZoo.Cli.csproj");

    private static ProcessRunner.Result Evaluate(string? backend)
    {
        var args = new List<string> { "msbuild", CliProject, "-getItem:PackageReference", "-t:ModelZooCheckTorchBackend", "-nodeReuse:false" };
        if (backend is not null) args.Add($"-p:TorchBackend={backend}");
        return ProcessRunner.Dotnet(args, TestPaths.RepoRoot, TimeSpan.FromSeconds(90));
    }

    private static string[] TorchPackages(ProcessRunner.Result result)
    {
        Assert.That(result.ExitCode, Is.EqualTo(0), result.All);
        using var json = JsonDocument.Parse(result.StdOut);
        return json.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(i => i.GetProperty("Identity").GetString()!)
            .Where(id => id.StartsWith("TorchSharp", StringComparison.Ordinal))
            .OrderBy(id => id, StringComparer.Ordinal)
            .ToArray();
    }

    [Test]
    public void DefaultIsCpu() => Assert.That(TorchPackages(Evaluate(null)), Is.EqualTo(new[] { "TorchSharp-cpu" }));

    [Test]
    public void ExplicitCpu() => Assert.That(TorchPackages(Evaluate("cpu")), Is.EqualTo(new[] { "TorchSharp-cpu" }));

    [Test]
    public void CudaPicksTheBuildOsPackage()
    {
        string expected = OperatingSystem.IsWindows() ? "TorchSharp-cuda-windows" : "TorchSharp-cuda-linux";
        Assert.That(TorchPackages(Evaluate("cuda")), Is.EqualTo(new[] { expected }));
    }

    [Test]
    public void InvalidValueIsAnError()
    {
        var result = Evaluate("rocm");
        Assert.That(result.ExitCode, Is.Not.EqualTo(0));
        Assert.That(result.All, Does.Contain("TorchBackend must be 'cpu' or 'cuda', not 'rocm'"));
    }

    private static string Property(string project, string name, params string[] properties)
    {
        var args = new List<string> { "msbuild", project, $"-getProperty:{name}", "-nodeReuse:false" };
        args.AddRange(properties.Select(p => $"-p:{p}"));
        var r = ProcessRunner.Dotnet(args, TestPaths.RepoRoot, TimeSpan.FromSeconds(90));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
        return r.StdOut.Trim();
    }

    [Test]
    public void NativeFixIsOnByDefaultOnLinuxAndCanBeTurnedOff()
    {
        string library = Path.Combine("src", "ModelZoo", "ModelZoo.csproj");
        Assert.That(Property(library, "ModelZooPatchNative"), Is.EqualTo(OperatingSystem.IsLinux() ? "true" : ""));
        Assert.That(Property(library, "ModelZooPatchNative", "ModelZooPatchNative=false"), Is.EqualTo("false"));
        Assert.That(Property(CliProject, "ModelZooPatchNativeForce"), Is.EqualTo("true"), "the tool package ships patched natives");
        Assert.That(Property(CliProject, "ModelZooPatchNative"), Is.EqualTo("true"));
    }
}
