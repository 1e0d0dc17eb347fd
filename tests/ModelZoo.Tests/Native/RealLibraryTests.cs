using ModelZoo.Native;

namespace ModelZoo.Tests.Native;

/// <summary>
/// The patcher on TorchSharp 0.107.0's real libLibTorchSharp.so (a temporary copy of the NuGet cache's file),
/// and the build's effect on this test project's own output copy. No readelf needed.
/// </summary>
public class RealLibraryTests
{
    private const string StdCxx = "libstdc++.so.6";
    private const string Needed = "GLIBCXX_3.4.32";

    /// <summary>The NuGet cache's copy, or null when the cache has none (e.g. a non-Linux machine).</summary>
    internal static string? CacheCopy()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } env
            ? env
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : null;
    }

    private static string RequireCacheCopy()
    {
        string? path = CacheCopy();
        if (path is null) Assert.Ignore("TorchSharp 0.107.0's linux-x64 native library is not in the NuGet cache");
        return path!;
    }

    private static bool HostHasNeeded()
    {
        string? host = ElfVersionPatcher.FindHostLibStdCxx();
        return host is not null && ElfVersionPatcher.GlibcxxVersionsOf(host).Contains(Needed);
    }

    [Test]
    public void CacheCopyDeclaresAStrongGlibcxx3432Need()
    {
        var needs = ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(RequireCacheCopy()));
        var need = needs.Single(n => n.File == StdCxx && n.Version == Needed);
        Assert.That(need.IsWeak, Is.False, "the NuGet cache copy must never be patched");
        Assert.That(needs.Where(n => n.IsWeak), Is.Empty);
    }

    [Test]
    public void PatchingACopyChangesExactlyOneByteAndIsIdempotent()
    {
        string cache = RequireCacheCopy();
        string temp = Path.Combine(Path.GetTempPath(), $"mz-libLibTorchSharp-{Guid.NewGuid():N}.so");
        try
        {
            File.Copy(cache, temp);
            var original = File.ReadAllBytes(temp);
            long flagsOffset = ElfVersionPatcher.ReadVersionNeeds(original).Single(n => n.File == StdCxx && n.Version == Needed).FlagsOffset;

            Assert.That(ElfVersionPatcher.PatchFile(temp, StdCxx, Needed), Is.EqualTo(ElfPatchResult.Patched));
            var patched = File.ReadAllBytes(temp);
            Assert.That(patched.Length, Is.EqualTo(original.Length));
            var diff = new List<long>();
            for (long i = 0; i < original.Length; i++) if (original[i] != patched[i]) diff.Add(i);
            Assert.That(diff, Is.EqualTo(new[] { flagsOffset }));
            Assert.That(patched[flagsOffset], Is.EqualTo(original[flagsOffset] | ElfVersionPatcher.VerFlagWeak));

            Assert.That(ElfVersionPatcher.PatchFile(temp, StdCxx, Needed), Is.EqualTo(ElfPatchResult.AlreadyWeak));
            Assert.That(File.ReadAllBytes(temp), Is.EqualTo(patched));
        }
        finally { File.Delete(temp); }

        Assert.That(ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(cache)).Single(n => n.Version == Needed).IsWeak, Is.False);
    }

    [Test]
    public void BuildOutputCopyIsPatchedExactlyWhenTheHostLacksTheVersion()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("the native fix applies on Linux only");
        string output = Path.Combine(TestContext.CurrentContext.TestDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assume.That(File.Exists(output), $"no output copy at {output}");
        bool weak = ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(output)).Single(n => n.File == StdCxx && n.Version == Needed).IsWeak;
        Assert.That(weak, Is.EqualTo(!HostHasNeeded()), $"output copy weak={weak}, host has {Needed}={HostHasNeeded()}");
        if (CacheCopy() is { } cache)
            Assert.That(ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(cache)).Single(n => n.Version == Needed).IsWeak, Is.False);
        Assert.That(NativeEnvironment.FindNativeLibrary(TestContext.CurrentContext.TestDirectory), Is.EqualTo(output));
        Assert.That(NativeEnvironment.NeedIsWeak(output), Is.EqualTo(weak));
    }

    [Test]
    public void HostLibStdCxxIsReadable()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("Linux only");
        string? host = ElfVersionPatcher.FindHostLibStdCxx();
        Assume.That(host, Is.Not.Null, "no libstdc++.so.6 on this host");
        var versions = ElfVersionPatcher.GlibcxxVersionsOf(host!);
        Assert.That(versions, Does.Contain("GLIBCXX_3.4"));
        Assert.That(versions, Does.Contain("GLIBCXX_3.4.26"), "libtorch itself needs 3.4.26");
    }

    [Test]
    public void TorchLoadsInThisProcess()
    {
        Assert.That(TorchNative.TryEnsureLoaded(out var diagnosis), Is.True, diagnosis);
        Assert.That(diagnosis, Is.Null);
    }
}
