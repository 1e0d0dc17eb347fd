using ModelZoo.Native;

namespace ModelZoo.Tests.Native;

/// <summary>The one-paragraph load-failure diagnosis, built from synthetic exceptions and environments.</summary>
public class TorchNativeDiagnosisTests
{
    private static Exception LoaderFailure() => new TypeInitializationException("TorchSharp.torch",
        new DllNotFoundException(
            "Unable to load shared library 'LibTorchSharp' or one of its dependencies.\n" +
            "  /app/runtimes/linux-x64/native/libLibTorchSharp.so: /lib/x86_64-linux-gnu/libstdc++.so.6: " +
            "version `GLIBCXX_3.4.32' not found (required by /app/runtimes/linux-x64/native/libLibTorchSharp.so)\n"));

    private static NativeEnvironment Debian12(bool? weak) => new(
        true, "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        new[] { "GLIBCXX_3.4", "GLIBCXX_3.4.9", "GLIBCXX_3.4.30", "GLIBCXX_3.4.29", "GLIBCXX_3.4.10" },
        "/app/runtimes/linux-x64/native/libLibTorchSharp.so", weak);

    [Test]
    public void UnpatchedCopyOnGcc12HostNamesEverything()
    {
        string text = TorchNative.Diagnose(LoaderFailure(), Debian12(weak: false));
        Assert.That(text, Does.Not.Contain("\n"), "one paragraph, one line");
        Assert.That(text, Does.StartWith("TorchSharp's native library could not be loaded: Unable to load shared library 'LibTorchSharp'"));
        Assert.That(text, Does.Contain("version `GLIBCXX_3.4.32' not found"));
        Assert.That(text, Does.Contain("/usr/lib/x86_64-linux-gnu/libstdc++.so.6 (highest version GLIBCXX_3.4.30;"));
        Assert.That(text, Does.Contain("is not patched"));
        Assert.That(text, Does.Contain("rebuild").And.Contain("upgrade libstdc++"));
        Assert.That(text, Does.EndWith("See docs/troubleshooting.md."));
        Assert.That(text, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void PatchedCopyPointsElsewhere()
    {
        string text = TorchNative.Diagnose(new DllNotFoundException("libtorch_cpu.so: cannot open shared object file"), Debian12(weak: true));
        Assert.That(text, Does.Contain("is patched"));
        Assert.That(text, Does.Not.Contain("upgrade libstdc++"));
    }

    [Test]
    public void MissingPiecesAreSaid()
    {
        var env = new NativeEnvironment(true, null, Array.Empty<string>(), null, null);
        string text = TorchNative.Diagnose(new DllNotFoundException("x"), env);
        Assert.That(text, Does.Contain("No libstdc++.so.6 was found"));
        Assert.That(text, Does.Contain("No libLibTorchSharp.so was found"));
    }

    [Test]
    public void NonLinuxSkipsTheGlibcxxStory()
    {
        var env = new NativeEnvironment(false, null, Array.Empty<string>(), null, null);
        string text = TorchNative.Diagnose(new DllNotFoundException("LibTorchSharp.dll"), env);
        Assert.That(text, Does.Not.Contain("GLIBCXX"));
        Assert.That(text, Does.Contain("TorchSharp-cpu"));
    }

    [Test]
    public void LongMessagesAreTrimmed()
    {
        string text = TorchNative.InnermostMessage(new Exception("outer", new Exception(new string('x', 2000))));
        Assert.That(text.Length, Is.LessThanOrEqualTo(403));
    }

    [Test]
    public void HighestVersionComparesNumerically()
    {
        var env = Debian12(false) with { HostGlibcxxVersions = new[] { "GLIBCXX_3.4.9", "GLIBCXX_3.4.30", "GLIBCXX_3.4.4", "GLIBCXX_TUNABLES" } };
        Assert.That(env.HighestGlibcxx, Is.EqualTo("GLIBCXX_3.4.30"));
        Assert.That(env.HostHasRequiredGlibcxx, Is.False);
        Assert.That((env with { HostGlibcxxVersions = new[] { "GLIBCXX_3.4.32", "GLIBCXX_3.4.33" } }).HostHasRequiredGlibcxx, Is.True);
    }

    [Test]
    public void ProbeOnThisHostIsConsistent()
    {
        var env = NativeEnvironment.Probe();
        Assert.That(env.IsLinux, Is.EqualTo(OperatingSystem.IsLinux()));
        if (env.IsLinux && env.HostLibStdCxx is not null)
            Assert.That(env.HighestGlibcxx, Does.StartWith("GLIBCXX_3.4"));
    }
}
