using System.Globalization;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ModelZoo.Native;

/// <summary>
/// Checks that TorchSharp's native libraries load, and explains in one paragraph why not when they don't.
/// Call <see cref="TryEnsureLoaded(out string?)"/> before the first tensor is made.
/// </summary>
internal static class TorchNative
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
            NnpackGuard.Ensure();
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
