namespace ModelZoo.Tests.Onnx;

/// <summary>
/// ONNX's own model checker (<c>onnx.checker.check_model</c> with full shape inference) from Debian's python3-onnx.
/// Without it the tests that need it are skipped with one reason, unless <c>MODELZOO_REQUIRE_ONNX=1</c> (set by
/// .ci/run, which installs it) makes that a failure.
/// </summary>
internal static class OnnxChecker
{
    private const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(Python)) return $"{Python} not found";
        var r = ProcessRunner.Run(Python, ["-c", "import onnx, onnx.checker"], Path.GetTempPath(), TimeSpan.FromMinutes(1));
        return r.ExitCode == 0 ? null : "the onnx module is not importable by /usr/bin/python3 (apt-get install python3-onnx)";
    });

    /// <summary>Fails the test with the checker's message unless the file is a valid ONNX model.</summary>
    public static void AssertValid(string path)
    {
        if (Missing.Value is string why)
        {
            if (Environment.GetEnvironmentVariable("MODELZOO_REQUIRE_ONNX") == "1") Assert.Fail(why);
            Assert.Ignore(why + "; the onnx.checker test was skipped");
        }
        var r = ProcessRunner.Run(Python,
            ["-c", "import sys, onnx; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print('ok', onnx.__version__)", path],
            Path.GetTempPath(), TimeSpan.FromMinutes(2));
        Assert.That(r.ExitCode, Is.Zero, $"onnx.checker rejects {path}: {r.All}");
        Assert.That(r.StdOut, Does.StartWith("ok"));
        TestContext.Out.WriteLine($"onnx.checker (full check): {r.StdOut.Trim()}");
    }
}
