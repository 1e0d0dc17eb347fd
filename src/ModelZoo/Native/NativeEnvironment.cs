using System.Globalization;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ModelZoo.Native;

/// <summary>
/// What the process can tell about the native side of TorchSharp: the host's C++ runtime and the
/// copy of <c>libLibTorchSharp.so</c> next to the application. Used to explain a load failure.
/// </summary>
/// <param name="IsLinux">True on Linux, the only OS where the GLIBCXX check applies.</param>
/// <param name="HostLibStdCxx">Path of the host's <c>libstdc++.so.6</c>, or null when none was found.</param>
/// <param name="HostGlibcxxVersions">The GLIBCXX_* versions the host's libstdc++ defines (empty when unknown).</param>
/// <param name="NativeLibrary">Path of the <c>libLibTorchSharp.so</c> copy the application would load, or null.</param>
/// <param name="NativeNeedIsWeak">
/// Whether that copy's <c>GLIBCXX_3.4.32</c> need is weak (patched): true, false, or null when it has no
/// such need or could not be read.
/// </param>
internal sealed record NativeEnvironment(
    bool IsLinux,
    string? HostLibStdCxx,
    IReadOnlyList<string> HostGlibcxxVersions,
    string? NativeLibrary,
    bool? NativeNeedIsWeak)
{
    /// <summary>The GLIBCXX version TorchSharp 0.107.0's native library declares it needs.</summary>
    public const string RequiredGlibcxx = "GLIBCXX_3.4.32";

    /// <summary>The highest GLIBCXX_* version the host defines, or null.</summary>
    public string? HighestGlibcxx => HostGlibcxxVersions
        .Select(v => (Name: v, Key: VersionKey(v)))
        .Where(v => v.Key is not null)
        .OrderBy(v => v.Key!, VersionComparer.Instance)
        .Select(v => v.Name)
        .LastOrDefault();

    /// <summary>True when the host's libstdc++ provides <see cref="RequiredGlibcxx"/>.</summary>
    public bool HostHasRequiredGlibcxx => HostGlibcxxVersions.Contains(RequiredGlibcxx, StringComparer.Ordinal);

    /// <summary>Looks at this process's host and application folder.</summary>
    public static NativeEnvironment Probe()
    {
        bool linux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
        if (!linux) return new NativeEnvironment(false, null, Array.Empty<string>(), null, null);
        string? host = ElfVersionPatcher.FindHostLibStdCxx();
        var versions = host is null ? Array.Empty<string>() : ElfVersionPatcher.GlibcxxVersionsOf(host);
        string? native = FindNativeLibrary(AppContext.BaseDirectory);
        return new NativeEnvironment(true, host, versions, native, native is null ? null : NeedIsWeak(native));
    }

    /// <summary>The <c>libLibTorchSharp.so</c> an application in <paramref name="appDirectory"/> loads, or null.</summary>
    public static string? FindNativeLibrary(string appDirectory)
    {
        string rid = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        string[] candidates =
        {
            Path.Combine(appDirectory, "runtimes", rid, "native", "libLibTorchSharp.so"),
            Path.Combine(appDirectory, "libLibTorchSharp.so"),
        };
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Whether the library's GLIBCXX_3.4.32 need is weak; null when it has none or cannot be read.</summary>
    public static bool? NeedIsWeak(string libraryPath)
    {
        try
        {
            var need = ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(libraryPath))
                .FirstOrDefault(n => n.File == "libstdc++.so.6" && n.Version == RequiredGlibcxx);
            return need?.IsWeak;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ElfFormatException)
        {
            return null;
        }
    }

    private static int[]? VersionKey(string version)
    {
        int underscore = version.IndexOf('_');
        if (underscore < 0) return null;
        var parts = version[(underscore + 1)..].Split('.');
        var key = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out key[i])) return null;
        return key;
    }

    private sealed class VersionComparer : IComparer<int[]>
    {
        public static readonly VersionComparer Instance = new();
        public int Compare(int[]? x, int[]? y)
        {
            x ??= Array.Empty<int>();
            y ??= Array.Empty<int>();
            for (int i = 0; i < Math.Max(x.Length, y.Length); i++)
            {
                int a = i < x.Length ? x[i] : 0, b = i < y.Length ? y[i] : 0;
                if (a != b) return a.CompareTo(b);
            }
            return 0;
        }
    }
}
