namespace ModelZoo.Tests.Weights;

/// <summary>
/// Runs Debian's PyTorch (python3-torch, python3-torchvision; /usr/bin/python3) to make reference files at test time.
/// Without it the tests that need it are skipped with one reason, unless <c>MODELZOO_REQUIRE_TORCH=1</c> (set by
/// .ci/run, which installs it), where its absence fails them.
/// </summary>
internal static class TorchReference
{
    private const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(Python)) return $"{Python} not found";
        var r = ProcessRunner.Run(Python, ["-c", "import torch, torchvision"], Path.GetTempPath(), TimeSpan.FromMinutes(2));
        return r.ExitCode == 0 ? null : "PyTorch/torchvision are not importable by /usr/bin/python3 (apt-get install python3-torchvision)";
    });

    /// <summary>Skips (or, in CI, fails) the calling test when PyTorch is not installed.</summary>
    public static void Require()
    {
        if (Missing.Value is not string why) return;
        if (Environment.GetEnvironmentVariable("MODELZOO_REQUIRE_TORCH") == "1") Assert.Fail(why);
        Assert.Ignore(why + "; the PyTorch reference tests were skipped");
    }

    /// <summary>Runs a fixture script from tests/ModelZoo.Tests/Fixtures/torchvision with arguments.</summary>
    public static void RunScript(string script, params string[] args)
    {
        Require();
        string path = Path.Combine(TestPaths.RepoRoot, "tests", "ModelZoo.Tests", "Fixtures", "torchvision", script);
        var r = ProcessRunner.Run(Python, [path, .. args], Path.GetTempPath(), TimeSpan.FromMinutes(8));
        Assert.That(r.ExitCode, Is.EqualTo(0), $"{script} failed:\n{r.All}");
    }
}
