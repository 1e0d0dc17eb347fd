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
public sealed record NativeEnvironment(
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

/// <summary>
/// Checks that TorchSharp's native libraries load, and explains in one paragraph why not when they don't.
/// Call <see cref="TryEnsureLoaded(out string?)"/> before the first tensor is made.
/// </summary>
public static class TorchNative
{
    private static readonly object Gate = new();
    private static bool _checked;
    private static string? _diagnosis;

    /// <summary>
    /// Makes a one-element tensor. Returns true when that works; otherwise false, with
    /// <paramref name="diagnosis"/> set to one paragraph: what failed, the host's libstdc++ and its highest
    /// GLIBCXX version, whether the output copy of <c>libLibTorchSharp.so</c> is patched, and what to do.
    /// The result is computed once per process.
    /// </summary>
    public static bool TryEnsureLoaded(out string? diagnosis)
    {
        lock (Gate)
        {
            if (!_checked)
            {
                _diagnosis = Check();
                _checked = true;
            }
            diagnosis = _diagnosis;
            return diagnosis is null;
        }
    }

    private static string? Check()
    {
        try
        {
            using var probe = ones(1);
            OneDnnGuard.Ensure();
            return null;
        }
        catch (Exception e) // TypeInitializationException, DllNotFoundException, ...: torch is unusable either way
        {
            return Diagnose(e, NativeEnvironment.Probe());
        }
    }

    /// <summary>The inner-most message of an exception chain, on one line.</summary>
    public static string InnermostMessage(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        string message = string.Join(' ', e.Message.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Trim()));
        const int limit = 400;
        return message.Length <= limit ? message : message[..limit] + "...";
    }

    /// <summary>Builds the one-paragraph diagnosis for a load failure on the given environment.</summary>
    public static string Diagnose(Exception failure, NativeEnvironment env)
    {
        var parts = new List<string>
        {
            $"TorchSharp's native library could not be loaded: {InnermostMessage(failure)}",
        };
        if (!env.IsLinux)
        {
            parts.Add("Check that the TorchSharp-cpu (or a CUDA) backend package is referenced by the application so its native libraries are copied to the output folder.");
        }
        else
        {
            if (env.HostLibStdCxx is null)
                parts.Add("No libstdc++.so.6 was found in the usual library folders; install your distribution's libstdc++6 package.");
            else
                parts.Add($"The host's C++ runtime is {env.HostLibStdCxx} (highest version {env.HighestGlibcxx ?? "unknown"}; TorchSharp 0.107.0 asks for {NativeEnvironment.RequiredGlibcxx}, which it does not actually use).");

            if (env.NativeLibrary is null)
                parts.Add("No libLibTorchSharp.so was found next to the application; reference TorchSharp-cpu and rebuild.");
            else if (env.NativeNeedIsWeak == true)
                parts.Add($"The copy at {env.NativeLibrary} is patched (its {NativeEnvironment.RequiredGlibcxx} need is weak), so the failure has another cause: check that the libtorch libraries beside it are complete.");
            else if (env.NativeNeedIsWeak == false)
                parts.Add($"The copy at {env.NativeLibrary} is not patched (its {NativeEnvironment.RequiredGlibcxx} need is still strong).");
            else
                parts.Add($"The copy at {env.NativeLibrary} could not be checked for the {NativeEnvironment.RequiredGlibcxx} need.");

            if (env.NativeNeedIsWeak != true && !env.HostHasRequiredGlibcxx)
                parts.Add("To fix it, rebuild the application with dotnet build or dotnet publish so the ModelZoo build targets patch the output copy (and do not set ModelZooPatchNative=false), or upgrade libstdc++ to GCC 13 or later.");
        }
        parts.Add("See docs/troubleshooting.md.");
        return string.Join(" ", parts);
    }
}
